package mantis.teleop.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import mantis.security.ServerSecurity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;

/**
 * Roles in a real headless Chromium: a dashboard on loopback HTTP with the server's tokens (so a
 * login is needed there too). A viewer sees who is logged in, finds the controls above its role
 * disabled, cannot jog with the keys, and can e-stop; only an admin gets the Reset button back.
 * Screenshots as in {@link DashboardBrowserTest}.
 */
@Tag("browser")
class DashboardRolesBrowserTest {
  private static final Path SHOTS = Path.of("target", "dashboard-screenshots");
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
            .optPort(0)
            .optSecurity(ServerSecurity.builder().optTokens(DashboardRolesTest.TOKENS).build())
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

  private static void logIn(String token) {
    browser.manage().deleteAllCookies();
    browser.get("http://127.0.0.1:" + dash.port() + "/");
    waitFor(() -> !browser.findElements(By.id("token")).isEmpty());
    browser.findElement(By.id("token")).sendKeys(token);
    browser.findElement(By.id("login")).click();
    waitFor(
        () ->
            !browser.findElements(By.id("instruction")).isEmpty()
                && !browser.findElement(By.id("instruction")).getText().equals("–"));
  }

  private static List<String> calls() {
    synchronized (teleop) {
      return List.copyOf(teleop.calls);
    }
  }

  @Test
  void aViewerSeesDisabledControlsCannotJogAndCanEStopButOnlyAnAdminCanReset() throws Exception {
    logIn(DashboardRolesTest.VIEWER);
    assertEquals("lab-viewer · viewer", browser.findElement(By.id("user")).getText());
    for (String id :
        List.of(
            "to-policy",
            "take-over",
            "new-episode",
            "rec-start",
            "rec-stop",
            "reset",
            "jog-0-plus",
            "jog-2-minus",
            "seed")) {
      WebElement e = browser.findElement(By.id(id));
      assertFalse(e.isEnabled(), id + " is disabled for a viewer");
    }
    assertTrue(
        browser
            .findElement(By.id("jog-0-plus"))
            .getAttribute("title")
            .contains("needs role operator"),
        browser.findElement(By.id("jog-0-plus")).getAttribute("title"));
    assertTrue(
        browser.findElement(By.id("reset")).getAttribute("title").contains("needs role admin"));
    assertTrue(browser.findElement(By.id("role-note")).isDisplayed());
    assertTrue(browser.findElement(By.id("estop")).isEnabled(), "E-STOP works for every role");

    // A jog key does nothing for a viewer: no request reaches the arm.
    new Actions(browser).keyDown("q").pause(Duration.ofMillis(400)).keyUp("q").perform();
    Thread.sleep(300);
    assertTrue(calls().stream().noneMatch(c -> c.startsWith("jog")), calls().toString());

    browser.findElement(By.id("estop")).click();
    waitFor(() -> teleop.state().estopped());
    waitFor(
        () ->
            "latched"
                .equals(browser.findElement(By.id("estop-banner")).getAttribute("data-state")));
    assertTrue(
        browser
            .findElement(By.id("estop-banner-text"))
            .getText()
            .contains("until an admin resets it"),
        browser.findElement(By.id("estop-banner-text")).getText());
    assertFalse(
        browser.findElement(By.id("banner-reset")).isDisplayed(),
        "no Reset in the banner for a viewer");
    synchronized (teleop) {
      assertEquals("lab-viewer viewer", teleop.callers.get(teleop.callers.size() - 1));
    }
    Files.createDirectories(SHOTS);
    Path viewerShot = SHOTS.resolve("aViewerSeesDisabledControls-viewer.png");
    Files.write(viewerShot, browser.getScreenshotAs(OutputType.BYTES));
    System.out.println("dashboard screenshot: " + viewerShot.toAbsolutePath());

    // The admin gets the Reset back, and it clears the latch.
    logIn(DashboardRolesTest.ADMIN);
    assertEquals("lab-admin · admin", browser.findElement(By.id("user")).getText());
    waitFor(() -> browser.findElement(By.id("banner-reset")).isDisplayed());
    assertTrue(browser.findElement(By.id("to-policy")).isEnabled());
    assertFalse(
        browser.findElement(By.id("role-note")).isDisplayed(), "an admin may do everything");
    browser.findElement(By.id("banner-reset")).click();
    waitFor(() -> !teleop.state().estopped());
    waitFor(
        () ->
            "clear".equals(browser.findElement(By.id("estop-banner")).getAttribute("data-state")));
    synchronized (teleop) {
      assertEquals("reset", teleop.calls.get(teleop.calls.size() - 1));
      assertEquals("lab-admin admin", teleop.callers.get(teleop.callers.size() - 1));
    }
  }
}
