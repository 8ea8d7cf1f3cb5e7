package mantis.teleop.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * A token-protected dashboard (bound off loopback) in a real headless Chromium: a person logs in
 * through the form, never with the token in the address. Screenshots as in {@link
 * DashboardBrowserTest}.
 */
@Tag("browser")
class DashboardLoginBrowserTest {
  private static final Path SHOTS = Path.of("target", "dashboard-screenshots");
  private static final String TOKEN = "correct-horse-battery-staple";
  private static ChromeDriver browser;
  private static FakeTeleop teleop;
  private static DashboardServer dash;

  @BeforeAll
  static void startAll() {
    browser = Chromium.start();
    teleop = new FakeTeleop();
    dash =
        DashboardServer.builder()
            .setTeleop(teleop)
            .optHost("0.0.0.0")
            .optPort(0)
            .optToken(TOKEN)
            .optSecurity(DashboardAccessTest.INSECURE)
            .build()
            .start();
  }

  @AfterAll
  static void stopAll() {
    if (browser != null) {
      browser.quit();
    }
    if (dash != null) {
      dash.close();
    }
  }

  @AfterEach
  void screenshot(TestInfo info) throws Exception {
    Files.createDirectories(SHOTS);
    Path shot = SHOTS.resolve(info.getTestMethod().orElseThrow().getName() + ".png");
    Files.write(shot, browser.getScreenshotAs(OutputType.BYTES));
    System.out.println("dashboard screenshot: " + shot.toAbsolutePath());
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) {
    Chromium.waitUntil(browser, Duration.ofSeconds(10), condition);
  }

  private static void submitToken(String token) {
    browser.findElement(By.id("token")).clear();
    browser.findElement(By.id("token")).sendKeys(token);
    browser.findElement(By.id("login")).click();
  }

  @Test
  void aPersonLogsInThroughTheFormAndDrivesTheArm() {
    String base = "http://127.0.0.1:" + dash.port() + "/";
    browser.manage().deleteAllCookies();
    browser.get(base);
    assertTrue(browser.getTitle().contains("log in"), browser.getTitle());
    assertEquals("password", browser.findElement(By.id("token")).getAttribute("type"));

    submitToken("not-the-token");
    waitFor(() -> browser.findElement(By.id("login-error")).getText().contains("Wrong token"));
    assertTrue(browser.findElements(By.id("estop")).isEmpty(), "still the login page");

    submitToken(TOKEN);
    waitFor(
        () ->
            !browser.findElements(By.id("instruction")).isEmpty()
                && !browser.findElement(By.id("instruction")).getText().equals("–"));
    assertEquals(base, browser.getCurrentUrl(), "no token in the address");
    Cookie cookie = browser.manage().getCookieNamed(AccessPolicy.COOKIE);
    assertNotNull(cookie, "the session cookie");
    assertTrue(cookie.isHttpOnly());
    assertEquals("Strict", cookie.getSameSite());
    assertFalse(cookie.getValue().contains(TOKEN));
    assertFalse(
        String.valueOf(browser.executeScript("return document.cookie;"))
            .contains(AccessPolicy.COOKIE),
        "the page's scripts cannot read the session cookie");
    assertTrue(browser.findElement(By.id("logout")).isDisplayed(), "a Log out button");

    browser.findElement(By.id("estop")).click(); // a cookie-authenticated POST from the page itself
    waitFor(() -> teleop.state().estopped());
    waitFor(
        () ->
            "latched"
                .equals(browser.findElement(By.id("estop-banner")).getAttribute("data-state")));

    browser.findElement(By.id("logout")).click();
    waitFor(() -> !browser.findElements(By.id("login-form")).isEmpty());
    teleop.reset();
  }
}
