package mantis.teleop.dashboard;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}) driven by
 * Selenium, with both executables named explicitly so Selenium Manager never downloads anything.
 * Where they are missing the test is skipped, except where {@link #required()} (CI): there it
 * fails.
 */
final class Chromium {
  /** Environment variable that makes a missing browser a failure instead of a skip (CI sets it). */
  static final String REQUIRE_ENV = "MANTIS_REQUIRE_BROWSER";

  static final Path BROWSER = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  private Chromium() {}

  /** True when the environment demands the real browser ({@value #REQUIRE_ENV}=1 or CI set). */
  static boolean required() {
    String v = System.getenv(REQUIRE_ENV);
    if (v != null && !v.isBlank() && !v.equals("0")) {
      return true;
    }
    String ci = System.getenv("CI");
    return ci != null && !ci.isBlank() && !ci.equals("false") && !ci.equals("0");
  }

  /** A headless Chromium, or abort/fail the calling test when it is not installed. */
  static ChromeDriver start() {
    if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
      String why =
          "headless browser tests need "
              + BROWSER
              + " and "
              + DRIVER
              + " (Debian packages chromium and chromium-driver)";
      if (required()) {
        fail(why + " (" + REQUIRE_ENV + " or CI is set, so this is a failure)");
      }
      Assumptions.abort(why);
    }
    // Selenium Manager runs only when the driver or browser is unknown; both are given here.
    System.setProperty("webdriver.chrome.driver", DRIVER.toString());
    System.setProperty("SE_OFFLINE", "true");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(DRIVER.toString()))
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
        "--no-first-run",
        "--disable-extensions");
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
    return driver;
  }

  /**
   * Polls {@code condition} every 50 ms until it holds, failing after {@code timeout}. A lookup
   * that finds an element of the page being replaced (a form post, a redirect, a re-render) and
   * then reads it gets a stale element: that poll counts as "not yet" and the next one looks again,
   * on the new page.
   */
  static void waitUntil(ChromeDriver browser, Duration timeout, BooleanSupplier condition) {
    new WebDriverWait(browser, timeout, Duration.ofMillis(50))
        .ignoring(StaleElementReferenceException.class)
        .until(d -> condition.getAsBoolean());
  }
}
