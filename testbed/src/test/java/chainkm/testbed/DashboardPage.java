package chainkm.testbed;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard as a user sees it in headless Chromium: what the page shows (read from its
 * tables) and its buttons. Waits poll the page; nothing here talks to the testnet directly.
 */
final class DashboardPage implements AutoCloseable {
    /** Debian's packages chromium and chromium-driver (.ci/run installs them); override with -Dchainkm.chromium=... */
    private static final Path CHROMIUM = Path.of(System.getProperty("chainkm.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("chainkm.chromedriver", "/usr/bin/chromedriver"));

    /** Selenium warns that it has no DevTools protocol of this Chromium's version; the test does not use it. */
    private static final java.util.logging.Logger DEVTOOLS_LOG = java.util.logging.Logger.getLogger("org.openqa.selenium.devtools");

    static {
        DEVTOOLS_LOG.setLevel(java.util.logging.Level.SEVERE);
    }

    private final WebDriver browser;

    private DashboardPage(WebDriver browser) {
        this.browser = browser;
    }

    /** Starts headless Chromium; fails (never skips) when it is not installed. */
    static DashboardPage open(String url, Path profileDir) throws IOException {
        List<String> missing = new ArrayList<>();
        for (Path p : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(p)) {
                missing.add(p.toString());
            }
        }
        if (!missing.isEmpty()) {
            fail("the dashboard's browser test needs headless Chromium and its driver, but " + String.join(" and ", missing)
                    + " is missing: install them with `apt-get install -y chromium chromium-driver` (.ci/run does), "
                    + "or point -Dchainkm.chromium and -Dchainkm.chromedriver at them");
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1600,1200", "--user-data-dir=" + Files.createDirectories(profileDir));
        DashboardPage page = new DashboardPage(new ChromeDriver(service, options));
        page.browser.get(url);
        return page;
    }

    /** Waits until {@code condition} (reading the page) is true, failing with {@code what}. */
    <T> T await(String what, Duration timeout, Function<WebDriver, T> condition) {
        return new WebDriverWait(browser, timeout, Duration.ofMillis(200))
                .ignoring(WebDriverException.class)
                .withMessage("the page never showed " + what)
                .until(condition);
    }

    private WebElement gatewayRow(int id) {
        return browser.findElement(By.id("gateway-" + id));
    }

    private WebElement deviceRow(String name) {
        return browser.findElement(By.cssSelector("#devices tr[data-device='" + name + "']"));
    }

    boolean gatewayUp(int id) {
        return "true".equals(gatewayRow(id).getAttribute("data-up"));
    }

    /** What the state cell says: up, starting or down. */
    String gatewayState(int id) {
        return gatewayRow(id).findElement(By.cssSelector("td.state")).getText();
    }

    /** The devices the gateway's row lists as attached to it. */
    List<String> devicesOf(int gateway) {
        String list = gatewayRow(gateway).getAttribute("data-devices");
        return list == null || list.isBlank() ? List.of() : List.of(list.trim().split(" "));
    }

    void clickGateway(int id, String action) {
        gatewayRow(id).findElement(By.cssSelector("button[data-action='" + action + "']")).click();
    }

    List<String> deviceNames() {
        return browser.findElements(By.cssSelector("#devices tbody tr")).stream()
                .map(r -> r.getAttribute("data-device")).toList();
    }

    String deviceState(String name) {
        return deviceRow(name).getAttribute("data-state");
    }

    /** The gateway the device's row says it is attached to ("" if none). */
    String attachedGateway(String name) {
        return deviceRow(name).getAttribute("data-attached");
    }

    String attachedText(String name) {
        return deviceRow(name).findElement(By.cssSelector("td.attached")).getText();
    }

    void clickDevice(String name, String action) {
        deviceRow(name).findElement(By.cssSelector("button[data-action='" + action + "']")).click();
    }

    void addDevices(int count) {
        WebElement n = browser.findElement(By.id("add-count"));
        n.clear();
        n.sendKeys(Integer.toString(count));
        browser.findElement(By.id("add-devices")).click();
    }

    /** The event log's rows of this kind for this device, newest first: their detail column. */
    List<String> events(String kind, String device) {
        return browser.findElements(By.cssSelector("#events tr[data-kind='" + kind + "'][data-device='" + device + "']"))
                .stream().map(r -> r.findElement(By.cssSelector("td.detail")).getText()).toList();
    }

    /** The policies table's row for policy {@code id}: each cell's text by its class (id, owner, device, scope, max_lifetime, who). */
    Map<String, String> policy(String id) {
        return cells(browser.findElement(By.cssSelector("#policies tr[data-policy='" + id + "']")));
    }

    /** The tokens table's row for {@code cti}: each cell's text by its class (cti, client, device, scope, iat, exp, state). */
    Map<String, String> token(String cti) {
        return cells(browser.findElement(By.cssSelector("#tokens tr[data-cti='" + cti + "']")));
    }

    /** The token's state as its row says: live, revoked or expired ("" when the page shows no such token). */
    String tokenState(String cti) {
        List<WebElement> rows = browser.findElements(By.cssSelector("#tokens tr[data-cti='" + cti + "']"));
        return rows.isEmpty() ? "" : rows.get(0).getAttribute("data-state");
    }

    private static Map<String, String> cells(WebElement row) {
        Map<String, String> out = new LinkedHashMap<>();
        for (WebElement td : row.findElements(By.tagName("td"))) {
            out.put(td.getAttribute("class"), td.getText());
        }
        return out;
    }

    String notice() {
        return browser.findElement(By.id("notice")).getText();
    }

    /** The page's screenshot and text, for a failed test. */
    void saveForDiagnosis(Path dir) {
        try {
            Files.write(dir.resolve("dashboard.png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
            Files.writeString(dir.resolve("dashboard.txt"), browser.findElement(By.tagName("body")).getText());
            System.err.println("the dashboard as it was: " + dir.resolve("dashboard.png") + ", " + dir.resolve("dashboard.txt"));
        } catch (IOException | WebDriverException e) {
            System.err.println("could not save the page: " + e);
        }
    }

    @Override
    public void close() {
        browser.quit();
    }
}
