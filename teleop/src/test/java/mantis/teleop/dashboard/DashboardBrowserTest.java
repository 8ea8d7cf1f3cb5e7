package mantis.teleop.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import mantis.teleop.Teleop;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

/**
 * The dashboard in a real headless Chromium over a real teleop session. Each test saves a
 * screenshot to {@code teleop/target/dashboard-screenshots/<test>.png} and prints its path.
 */
@Tag("browser")
class DashboardBrowserTest {
  private static final Path SHOTS = Path.of("target", "dashboard-screenshots");
  private static TeleopFixture fixture;
  private static DashboardServer dash;
  private static ChromeDriver browser;

  @BeforeAll
  static void startAll() throws Exception {
    browser = Chromium.start();
    fixture = TeleopFixture.start();
    dash = DashboardServer.builder().setTeleop(fixture.teleop()).optPort(0).build().start();
  }

  @AfterAll
  static void stopAll() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (dash != null) {
      dash.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  @BeforeEach
  void openPage() {
    Teleop t = fixture.teleop();
    t.reset();
    t.setMode(mantis.teleop.ControlMode.TELEOP);
    t.newEpisode(mantis.sim.TaskFamily.REACH.name(), 3); // every test starts from the same pose
    browser.get(dash.url());
    waitFor(Duration.ofSeconds(15), () -> !text("instruction").equals("–") && jointRad(0) != null);
  }

  @AfterEach
  void screenshot(TestInfo info) throws Exception {
    Files.createDirectories(SHOTS);
    Path shot = SHOTS.resolve(info.getTestMethod().orElseThrow().getName() + ".png");
    Files.write(shot, browser.getScreenshotAs(OutputType.BYTES));
    System.out.println("dashboard screenshot: " + shot.toAbsolutePath());
  }

  private static String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  private static String attr(String id, String name) {
    return browser.findElement(By.id(id)).getAttribute(name);
  }

  private static Double jointRad(int joint) {
    List<WebElement> e = browser.findElements(By.id("joint-pos-" + joint));
    if (e.isEmpty()) {
      return null;
    }
    String v = e.get(0).getAttribute("data-rad");
    return v == null || v.isEmpty() ? null : Double.parseDouble(v);
  }

  private static void waitFor(Duration timeout, java.util.function.BooleanSupplier condition) {
    Chromium.waitUntil(browser, timeout, condition);
  }

  private static void holdKey(String key, long millis) {
    new Actions(browser).keyDown(key).pause(Duration.ofMillis(millis)).keyUp(key).perform();
  }

  @Test
  void thePageLoadsWithChartsAndTheLiveView() {
    assertEquals("Mantis teleop dashboard", browser.getTitle());
    assertFalse(text("instruction").isBlank());
    assertTrue(text("mode").contains("TELEOP"), text("mode"));
    waitFor(Duration.ofSeconds(5), () -> !browser.findElements(By.id("chart-0")).isEmpty());
    assertEquals(
        Boolean.TRUE,
        browser.executeScript("return typeof Chart === 'function';"),
        "Chart.js loaded from its webjar");
    waitFor(Duration.ofSeconds(5), () -> text("conn").equals("live"));
  }

  @Test
  void framesUpdate() {
    waitFor(Duration.ofSeconds(5), () -> Long.parseLong(attr("frame", "data-seq")) >= 0);
    List<?> first = frameSeqAndSrc();
    long firstSeq = ((Number) first.get(0)).longValue();
    waitFor(Duration.ofSeconds(5), () -> ((Number) frameSeqAndSrc().get(0)).longValue() > firstSeq);
    List<?> later = frameSeqAndSrc();
    assertFalse(
        first.get(1).equals(later.get(1)),
        "the img src changes with the frame: " + first + " " + later);
    assertTrue(
        ((String) later.get(1)).endsWith("seq=" + later.get(0)),
        "src names the frame shown: " + later);
    assertEquals(
        Boolean.TRUE,
        browser.executeScript(
            "const i = document.getElementById('frame'); return i.complete && i.naturalWidth > 0;"));
  }

  /** The frame's sequence number and src, read together. */
  private static List<?> frameSeqAndSrc() {
    return (List<?>)
        browser.executeScript(
            "const i = document.getElementById('frame'); return [Number(i.dataset.seq), i.src];");
  }

  @Test
  void holdingAKeyMovesTheArmTheRightWay() {
    double before = jointRad(0);
    holdKey("q", 800);
    waitFor(Duration.ofSeconds(5), () -> jointRad(0) > before + 0.05);
    double up = jointRad(0);
    holdKey("a", 800);
    waitFor(Duration.ofSeconds(5), () -> jointRad(0) < up - 0.05);
  }

  /**
   * The elbow key (W raises, S lowers) that moves it away from its nearer limit, and that
   * direction.
   */
  private static int elbowSignTowardCentre() {
    return jointRad(1) > 0 ? -1 : 1;
  }

  private static String elbowKey(int sign) {
    return sign > 0 ? "w" : "s";
  }

  @Test
  void agreementFiguresUpdateWhileThePersonDrives() {
    long before = samples();
    holdKey(elbowKey(elbowSignTowardCentre()), 800);
    waitFor(Duration.ofSeconds(5), () -> samples() > before);
    assertFalse(text("agree-episode-mae").equals("–"), "per-joint MAE shown");
    assertFalse(text("agree-rolling-dir").isBlank());
  }

  private static long samples() {
    String s = text("agree-episode-samples");
    return s.equals("–") ? 0 : Long.parseLong(s);
  }

  @Test
  void handToPolicyThenTakeOverSwitchesMode() {
    browser.findElement(By.id("to-policy")).click();
    waitFor(Duration.ofSeconds(5), () -> "POLICY".equals(attr("mode", "data-mode")));
    assertEquals(mantis.teleop.ControlMode.POLICY, fixture.teleop().state().mode());
    browser.findElement(By.id("take-over")).click();
    waitFor(Duration.ofSeconds(5), () -> "TELEOP".equals(attr("mode", "data-mode")));
    assertEquals(mantis.teleop.ControlMode.TELEOP, fixture.teleop().state().mode());
  }

  @Test
  void eStopLatchesUntilReset() throws Exception {
    browser.findElement(By.id("estop")).click();
    waitFor(Duration.ofSeconds(5), () -> "true".equals(attr("estop-state", "data-estopped")));
    Thread.sleep(300); // let any motion in flight settle
    double held = jointRad(1);
    int sign = elbowSignTowardCentre();
    holdKey(elbowKey(sign), 600);
    Thread.sleep(300);
    assertEquals(held, jointRad(1), 0.01, "jogging does nothing while the e-stop is latched");
    assertTrue(fixture.teleop().state().estopped(), "still latched after the jog");
    assertTrue(text("estop-state").contains("E-STOPPED"));

    browser.findElement(By.id("reset")).click();
    waitFor(Duration.ofSeconds(5), () -> "false".equals(attr("estop-state", "data-estopped")));
    double before = jointRad(1);
    holdKey(elbowKey(sign), 800);
    waitFor(Duration.ofSeconds(5), () -> (jointRad(1) - before) * sign > 0.05);
  }

  /** The id of the element that has the keyboard focus. */
  private static String focused() {
    return (String)
        browser.executeScript("return document.activeElement ? document.activeElement.id : null;");
  }

  /**
   * Waits until the server has the e-stop latched and the page shows it: the banner, from the
   * server's state.
   */
  private static void assertEStoppedAndShown() {
    waitFor(Duration.ofSeconds(5), () -> fixture.teleop().state().estopped());
    waitFor(Duration.ofSeconds(5), () -> "latched".equals(attr("estop-banner", "data-state")));
    WebElement banner = browser.findElement(By.id("estop-banner"));
    assertTrue(banner.isDisplayed(), "the e-stop banner is visible");
    assertTrue(banner.getText().contains("E-STOPPED"), banner.getText());
    assertTrue(browser.findElement(By.id("banner-reset")).isDisplayed(), "the banner offers Reset");
    assertEquals("true", attr("estop-state", "data-estopped"));
    assertTrue(browser.getTitle().startsWith("E-STOPPED"), browser.getTitle());
  }

  @Test
  void spaceLatchesTheEStopWhileTheSeedBoxHasFocus() {
    WebElement seed = browser.findElement(By.id("seed"));
    seed.click();
    assertEquals("seed", focused());
    String before = seed.getAttribute("value");
    new Actions(browser).sendKeys(Keys.SPACE).perform();
    assertEStoppedAndShown();
    assertEquals(before, seed.getAttribute("value"), "Space typed nothing into the seed box");
  }

  @Test
  void spaceLatchesTheEStopWhileTheFamilySelectHasFocus() {
    // As the tester did: pick a family with the mouse, then press Space with the list still
    // focused.
    browser.findElement(By.cssSelector("#family option[value='push_direction']")).click();
    assertEquals("family", focused());
    assertEquals(
        "push_direction",
        new Select(browser.findElement(By.id("family")))
            .getFirstSelectedOption()
            .getAttribute("value"));
    new Actions(browser).sendKeys(Keys.SPACE).perform();
    assertEStoppedAndShown();
    assertEquals(
        "push_direction",
        new Select(browser.findElement(By.id("family")))
            .getFirstSelectedOption()
            .getAttribute("value"),
        "Space did not change the family");
  }

  @Test
  void escapeLatchesTheEStopToo() {
    browser.findElement(By.id("seed")).click();
    new Actions(browser).sendKeys(Keys.ESCAPE).perform();
    assertEStoppedAndShown();
  }

  @Test
  void spaceOnAFocusedResetButtonLatchesAndDoesNotReset() throws Exception {
    fixture.teleop().estop("test: latched before the key");
    waitFor(Duration.ofSeconds(5), () -> "latched".equals(attr("estop-banner", "data-state")));
    for (String button : List.of("reset", "banner-reset")) {
      browser.executeScript("document.getElementById(arguments[0]).focus();", button);
      assertEquals(button, focused());
      new Actions(browser).sendKeys(Keys.SPACE).perform();
      Thread.sleep(500); // a reset would reach the server well within this
      assertTrue(
          fixture.teleop().state().estopped(),
          "Space on the focused " + button + " button did not reset");
    }
    assertEStoppedAndShown();
  }

  @Test
  void theBannerShowsAnEStopLatchedElsewhereAndItsResetClearsIt() {
    assertTrue(
        browser.findElement(By.id("estop-banner")).getAttribute("hidden") != null,
        "no banner while running");
    fixture.teleop().estop("test: latched by another client"); // not through this page
    assertEStoppedAndShown();
    browser.findElement(By.id("banner-reset")).click();
    waitFor(Duration.ofSeconds(5), () -> !fixture.teleop().state().estopped());
    waitFor(Duration.ofSeconds(5), () -> !browser.findElement(By.id("estop-banner")).isDisplayed());
    assertEquals("false", attr("estop-state", "data-estopped"));
    assertEquals("Mantis teleop dashboard", browser.getTitle());
  }
}
