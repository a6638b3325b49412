//! A real browser for the tests: headless Chromium, driven through chromedriver.
//!
//! The first test to ask starts one chromedriver for this process; every test then gets a
//! browser of its own from it. A watchdog shell stops the driver and every browser it
//! started, and deletes their profiles, once this process has exited, however it exited.

use std::env;
use std::fs;
use std::future::Future;
use std::io::{self, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{self, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, UNIX_EPOCH};

use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

use super::{GOOD_PASSWORD, TestApp};

const NOT_INSTALLED: &str = "SKIPPED: browser tests need chromium and chromedriver \
     (Debian packages chromium and chromium-driver); skipping";

/// How long a wait for the page gives up after: far above what a slow machine needs.
const PATIENCE: Duration = Duration::from_secs(10);

/// How often a wait looks again.
const POLL: Duration = Duration::from_millis(50);

/// A quiet, headless browser that touches nothing outside its own profile.
const CHROMIUM_ARGS: &[&str] = &[
    // The stylesheet scrolls smoothly otherwise, and chromedriver clicks and photographs
    // elements before a smooth scroll has brought them into view.
    "--force-prefers-reduced-motion",
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--window-size=1280,1000",
];

/// A new browser session, or `None` on a machine without Chromium (fails under `CI=true`).
pub async fn open() -> Option<Client> {
    // Failures are kept too, so that later tests do not each retry a slow failure.
    static DRIVER: OnceLock<Result<Driver, Unavailable>> = OnceLock::new();

    match DRIVER.get_or_init(Driver::start) {
        Ok(driver) => Some(driver.new_session().await),
        Err(Unavailable::NotInstalled) if env::var("CI").as_deref() == Ok("true") => {
            panic!("{NOT_INSTALLED}")
        }
        Err(Unavailable::NotInstalled) => None,
        Err(Unavailable::Broken(message)) => panic!("{message}"),
    }
}

/// Runs `steps` in a new browser and closes it afterwards, also when a step fails.
/// Does nothing on a machine without Chromium.
pub async fn with_browser<Steps, Done>(steps: Steps)
where
    Steps: FnOnce(Client) -> Done,
    Done: Future<Output = ()> + 'static,
{
    let Some(client) = open().await else {
        return;
    };

    // A task of its own catches a failed assertion, so that the browser is closed first.
    let outcome = actix_web::rt::spawn(steps(client.clone())).await;
    let _ = client.close().await;
    match outcome {
        Ok(()) => {}
        Err(failure) if failure.is_panic() => std::panic::resume_unwind(failure.into_panic()),
        Err(failure) => panic!("the browser steps did not finish: {failure}"),
    }
}

/// Why this process has no browsers.
enum Unavailable {
    NotInstalled,
    Broken(String),
}

/// A running chromedriver, which the watchdog stops after this process exits.
struct Driver {
    url: String,
    chromium: PathBuf,
    /// Holds each browser's profile; the watchdog deletes it.
    dir: PathBuf,
}

impl Driver {
    fn start() -> Result<Self, Unavailable> {
        let (Some(chromium), Some(chromedriver)) = (on_path("chromium"), on_path("chromedriver"))
        else {
            // Written past the test harness's capture, which would otherwise hide it.
            let _ = writeln!(io::stderr(), "{NOT_INSTALLED}");
            return Err(Unavailable::NotInstalled);
        };
        let nanos = UNIX_EPOCH.elapsed().unwrap_or_default().as_nanos();
        let dir = env::temp_dir().join(format!("homeroom-browser-{}-{nanos}", process::id()));

        Self::launch(&chromedriver, &dir)
            .map(|url| Driver {
                url,
                chromium,
                dir: dir.clone(),
            })
            .map_err(|error| Unavailable::Broken(format!("no chromedriver for the tests: {error}")))
    }

    /// Starts chromedriver and answers its URL once it accepts connections.
    fn launch(chromedriver: &Path, dir: &Path) -> io::Result<String> {
        fs::create_dir(dir)?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let log = dir.join("chromedriver.log");

        let mut driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            // A group of its own, which the browsers it starts join: one signal stops them all.
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        if let Err(error) = spawn_watchdog(driver.id(), dir) {
            let _ = driver.kill();
            return Err(error);
        }

        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = driver.try_wait()? {
                let failure = format!("chromedriver exited with {status}; see {}", log.display());
                return Err(io::Error::other(failure));
            }
            if started.elapsed() > PATIENCE {
                let failure = format!("chromedriver did not listen on port {port} in time");
                return Err(io::Error::other(failure));
            }
            std::thread::sleep(POLL);
        }
        Ok(format!("http://127.0.0.1:{port}"))
    }

    async fn new_session(&self) -> Client {
        static PROFILES: AtomicUsize = AtomicUsize::new(0);
        let number = PROFILES.fetch_add(1, Ordering::Relaxed);
        let profile = self.dir.join(format!("profile-{number}"));

        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|arg| arg.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let options = serde_json::json!({ "binary": self.chromium, "args": args });
        let mut capabilities = Capabilities::new();
        capabilities.insert("goog:chromeOptions".into(), options);

        ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .unwrap_or_else(|error| panic!("chromedriver started no browser: {error}"))
    }
}

/// Where `program` is on the PATH.
fn on_path(program: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH").unwrap_or_default();
    env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// Starts a shell that waits for this process to end, then stops the driver's process group
/// and deletes `dir`.
fn spawn_watchdog(driver: u32, dir: &Path) -> io::Result<()> {
    let script = r#"test_pid=$1 driver=$2 dir=$3
        while kill -0 "$test_pid" 2>/dev/null; do sleep 1; done
        kill -TERM "-$driver"; sleep 1; kill -KILL "-$driver"; rm -rf "$dir""#;

    Command::new("sh")
        .args(["-c", script, "browser-watchdog"])
        .arg(process::id().to_string())
        .arg(driver.to_string())
        .arg(dir)
        // Out of the way of a Ctrl-C aimed at the tests, which would otherwise skip the cleanup.
        .process_group(0)
        .current_dir("/")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(drop)
}

/// Creates the first administrator through the app's setup link, as a person would, and
/// stays signed in as `admin`.
pub async fn sign_in_as_admin(client: &Client, app: &TestApp) {
    go_to(client, &app.setup_url()).await;
    type_into(client, "#username", "admin").await;
    type_into(client, "#password", GOOD_PASSWORD).await;
    type_into(client, "#password_confirm", GOOD_PASSWORD).await;
    press(client, &Key::Enter).await;

    wait_to_leave(client, "/setup").await;
}

/// Signs in through the sign-in page as a person would.
pub async fn sign_in(client: &Client, app: &TestApp, username: &str, password: &str) {
    go_to(client, &app.url("/login")).await;
    type_into(client, "#username", username).await;
    type_into(client, "#password", password).await;
    press(client, &Key::Enter).await;

    wait_to_leave(client, "/login").await;
}

/// Opens `url` and waits until its page has loaded.
pub async fn go_to(client: &Client, url: &str) {
    let loaded = client.goto(url).await;
    loaded.unwrap_or_else(|error| panic!("the browser could not open {url}: {error}"));
}

/// The element matching `selector`, once the page has one.
pub async fn find(client: &Client, selector: &str) -> Element {
    let search = client.wait().at_most(PATIENCE).every(POLL);
    let found = search.for_element(Locator::Css(selector)).await;
    found.unwrap_or_else(|error| panic!("no {selector} on the page: {error}"))
}

/// Types `text` into the field matching `selector`, key by key.
pub async fn type_into(client: &Client, selector: &str, text: &str) {
    let typed = find(client, selector).await.send_keys(text).await;
    typed.unwrap_or_else(|error| panic!("could not type into {selector}: {error}"));
}

/// Sends keys to whatever has the focus, as a keyboard does.
pub async fn press(client: &Client, keys: &str) {
    let focused = client
        .active_element()
        .await
        .expect("an element has the focus");
    let pressed = focused.send_keys(keys).await;
    pressed.unwrap_or_else(|error| panic!("the focused element took no keys: {error}"));
}

/// Whether the element matching `selector` has the focus.
pub async fn has_focus(client: &Client, selector: &str) -> bool {
    let focused = client
        .active_element()
        .await
        .expect("an element has the focus");
    match client.find(Locator::Css(selector)).await {
        Ok(element) => element.element_id() == focused.element_id(),
        Err(_) => false,
    }
}

/// Waits until the element matching `selector` has the focus.
pub async fn wait_for_focus(client: &Client, selector: &str) {
    let started = Instant::now();
    while !has_focus(client, selector).await {
        assert!(
            started.elapsed() < PATIENCE,
            "{selector} never took the focus"
        );
        actix_web::rt::time::sleep(POLL).await;
    }
}

/// Presses Tab until the element matching `selector` has the focus, and answers how many
/// presses it took.
pub async fn tab_to(client: &Client, selector: &str) -> usize {
    for presses in 1..=40 {
        press(client, &Key::Tab).await;
        if has_focus(client, selector).await {
            return presses;
        }
    }
    panic!("Tab never reached {selector}");
}

/// Presses Shift+Tab, which moves the focus backwards, until the element matching `selector`
/// has the focus.
pub async fn tab_back_to(client: &Client, selector: &str) {
    let shift_tab = format!("{}{}{}", Key::Shift, Key::Tab, Key::Null);
    for _ in 1..=40 {
        press(client, &shift_tab).await;
        if has_focus(client, selector).await {
            return;
        }
    }
    panic!("Shift+Tab never reached {selector}");
}

/// The text of the element matching `selector`, once it contains `expected`.
pub async fn wait_for_text(client: &Client, selector: &str, expected: &str) -> String {
    wait_for_text_that(client, selector, expected, |text| text.contains(expected)).await
}

/// Waits until the text of the element matching `selector` is exactly `expected`.
pub async fn wait_for_text_to_be(client: &Client, selector: &str, expected: &str) {
    wait_for_text_that(client, selector, expected, |text| text == expected).await;
}

async fn wait_for_text_that(
    client: &Client,
    selector: &str,
    expected: &str,
    matches: impl Fn(&str) -> bool,
) -> String {
    let mut last = None;
    let started = Instant::now();
    while started.elapsed() < PATIENCE {
        if let Ok(element) = client.find(Locator::Css(selector)).await {
            // The element may be replaced between finding and reading it.
            let text = element.text().await.unwrap_or_default();
            if matches(&text) {
                return text;
            }
            last = Some(text);
        }
        actix_web::rt::time::sleep(POLL).await;
    }
    panic!("{selector} never showed {expected:?}; it last showed {last:?}");
}

/// The path the browser shows, without host or query.
pub async fn current_path(client: &Client) -> String {
    let url = client.current_url().await.expect("the browser has a URL");
    url.path().to_owned()
}

/// Waits until the browser has left the page whose path starts with `path`.
pub async fn wait_to_leave(client: &Client, path: &str) -> String {
    let started = Instant::now();
    loop {
        let now = current_path(client).await;
        if !now.starts_with(path) {
            return now;
        }
        assert!(started.elapsed() < PATIENCE, "the browser stayed on {now}");
        actix_web::rt::time::sleep(POLL).await;
    }
}

/// axe-core, the accessibility rules engine, as vendored from the npm registry
/// (see `tests/vendor/axe-core/VERSION`).
const AXE_CORE: &str = include_str!("../../vendor/axe-core/axe.min.js");

/// The rules every page must pass: WCAG 2.0, 2.1 and 2.2 at levels A and AA.
const WCAG_A_AND_AA: &[&str] = &["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/// axe-core's best-practice rules for the page structure the project also asks for:
/// an h1, headings in order, and landmarks that hold all content.
const STRUCTURE_RULES: &[&str] = &[
    "page-has-heading-one",
    "heading-order",
    "landmark-one-main",
    "landmark-no-duplicate-main",
    "landmark-no-duplicate-banner",
    "landmark-banner-is-top-level",
    "landmark-main-is-top-level",
    "landmark-unique",
    "region",
];

/// Runs axe-core on the whole page and answers its violations as plain objects.
const RUN_AXE: &str = r#"
return axe.run(document, arguments[0]).then((results) =>
  results.violations.map((rule) => ({
    id: rule.id,
    impact: rule.impact,
    help: rule.help,
    nodes: rule.nodes.map((node) => ({
      target: node.target.join(" "),
      summary: node.failureSummary,
    })),
  }))
);
"#;

/// Fails, listing each violation with its rule, impact, help and elements, unless axe-core
/// finds the open page meets WCAG 2.2 A and AA and the structure rules above.
pub async fn assert_no_axe_violations(client: &Client, what: &str) {
    let mut rules = serde_json::Map::new();
    for rule in STRUCTURE_RULES {
        rules.insert(rule.to_string(), serde_json::json!({ "enabled": true }));
    }
    let options = serde_json::json!({
        "runOnly": { "type": "tag", "values": WCAG_A_AND_AA },
        "rules": rules,
        "resultTypes": ["violations"],
    });
    // The engine is injected into each page afresh: a new document starts without it.
    let script = format!("{AXE_CORE}\n;\n{RUN_AXE}");
    let ran = client.execute(&script, vec![options]).await;
    let violations = ran.unwrap_or_else(|error| panic!("axe-core did not run on {what}: {error}"));

    let violations = violations.as_array().expect("axe-core answers a list");
    if violations.is_empty() {
        return;
    }
    let path = current_path(client).await;
    let count = violations.len();
    let mut report = format!("axe-core found {count} rules broken on {what} ({path}):");
    for rule in violations {
        let field = |name: &str| rule[name].as_str().unwrap_or("?").to_owned();
        let (id, impact, help) = (field("id"), field("impact"), field("help"));
        report.push_str(&format!("\n- {id} ({impact}): {help}"));
        for node in rule["nodes"].as_array().into_iter().flatten() {
            let target = node["target"].as_str().unwrap_or("?");
            let summary = node["summary"].as_str().unwrap_or("").replace('\n', " ");
            report.push_str(&format!("\n    {target}\n        {summary}"));
        }
    }
    panic!("{report}");
}

/// The window size the browsers start with; see `CHROMIUM_ARGS`.
pub const USUAL_WINDOW: (u32, u32) = (1280, 1000);

/// Makes the page `width` CSS pixels wide, keeping the usual height.
pub async fn set_window_width(client: &Client, width: u32) {
    let resized = client.set_window_size(width, USUAL_WINDOW.1).await;
    resized.unwrap_or_else(|error| panic!("the window did not take {width} pixels: {error}"));
    let inner = client.execute("return window.innerWidth;", vec![]).await;
    let inner = inner.expect("the window's width").as_u64();
    assert_eq!(
        inner,
        Some(u64::from(width)),
        "the window is {width}px wide"
    );
}

/// How far the page reaches, and the outermost elements that stick out of the window.
const SIDEWAYS_OVERFLOW: &str = r#"
const width = window.innerWidth;
// An absolutely positioned element is clipped only by its containing block and what holds it.
const clipped = (element) => {
  const position = getComputedStyle(element).position;
  if (position === "fixed") return false;
  let up = position === "absolute" ? element.offsetParent : element.parentElement;
  for (; up && up !== document.body; up = up.parentElement) {
    if (getComputedStyle(up).overflowX !== "visible") return true;
  }
  return false;
};
const sticksOut = (element) =>
  element.getBoundingClientRect().right > width + 0.5 && !clipped(element);
const culprits = [...document.body.querySelectorAll("*")]
  .filter((element) => sticksOut(element) && !sticksOut(element.parentElement))
  .slice(0, 5)
  .map((element) => element.outerHTML.slice(0, 160));
return { width, scrollWidth: document.documentElement.scrollWidth, culprits };
"#;

/// Fails when the open page is wider than the window, naming what sticks out.
pub async fn assert_no_sideways_scroll(client: &Client, what: &str) {
    let measured = client.execute(SIDEWAYS_OVERFLOW, vec![]).await;
    let measured = measured.unwrap_or_else(|error| panic!("could not measure {what}: {error}"));

    let width = measured["width"].as_u64().expect("the window's width");
    let scroll_width = measured["scrollWidth"].as_u64().expect("the page's width");
    assert!(
        scroll_width <= width,
        "{what} scrolls sideways: {scroll_width}px of page in a {width}px window; sticking out: {}",
        measured["culprits"]
    );
}
