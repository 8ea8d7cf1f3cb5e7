package mantis.teleop.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * In a real headless Chromium: an e-stop that the arm did not confirm (a bridged arm's ArmService
 * down) shows as NOT CONFIRMED, although the dashboard's own session latched it. Before this change
 * the page showed "E-STOPPED: latched on the server" (the session's latch) and the request answered
 * 500.
 */
@Tag("browser")
class DashboardArmErrorBrowserTest {
  private static final Path SHOTS = Path.of("target", "dashboard-screenshots");

  @Test
  void anEStopTheArmDidNotConfirmIsShownAsNotConfirmed() throws Exception {
    ChromeDriver browser = Chromium.start();
    DashboardArmErrorTest.ArmDown teleop = new DashboardArmErrorTest.ArmDown();
    try (DashboardServer dash =
        DashboardServer.builder().setTeleop(teleop).optPort(0).build().start()) {
      browser.get(dash.url());
      Duration timeout = Duration.ofSeconds(10);
      Chromium.waitUntil(
          browser, timeout, () -> !browser.findElement(By.id("instruction")).getText().equals("–"));
      browser.findElement(By.id("estop")).click();
      Chromium.waitUntil(
          browser,
          timeout,
          () ->
              "failed"
                  .equals(browser.findElement(By.id("estop-banner")).getAttribute("data-state")));
      // Stays so while the state polls say the session is latched.
      Thread.sleep(500);
      assertEquals("failed", browser.findElement(By.id("estop-banner")).getAttribute("data-state"));
      String text = browser.findElement(By.id("estop-banner-text")).getText();
      assertTrue(text.contains("E-STOP NOT CONFIRMED") && text.contains("UNAVAILABLE"), text);
      assertTrue(teleop.state().estopped(), "the session latched it");
      Files.createDirectories(SHOTS);
      Path shot = SHOTS.resolve("anEStopTheArmDidNotConfirmIsShownAsNotConfirmed.png");
      Files.write(shot, browser.getScreenshotAs(OutputType.BYTES));
      System.out.println("dashboard screenshot: " + shot.toAbsolutePath());
    } finally {
      browser.quit();
    }
  }
}
