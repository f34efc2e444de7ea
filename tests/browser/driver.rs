//! Starts chromedriver on a free loopback port and a headless Chromium session that
//! emulates a phone screen; both end when the [`Browser`] is dropped.
//!
//! Desktop Chromium will not make a window narrower than 500 px, so the phone's
//! screen is set through the DevTools protocol (`Emulation.setDeviceMetricsOverride`,
//! through chromedriver's `goog/cdp/execute`), which is also how a whole long page is
//! photographed (`Page.captureScreenshot` beyond the viewport).

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use reqwest::Url;
use serde_json::{Value, json};

/// Whether this run asked for browser tests (`YUNGUI_BROWSER=1`).
pub fn enabled() -> bool {
    std::env::var("YUNGUI_BROWSER").is_ok_and(|v| v == "1")
}

/// A chromedriver process and one browser session on it.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn program(env: &str, default: &str) -> String {
    std::env::var(env).unwrap_or_else(|_| default.to_owned())
}

impl Browser {
    /// Chromium showing pages on a `width`×`height` CSS-pixel phone screen at device
    /// scale 2 (a cheap Android phone), Chinese as the browser language.
    pub async fn phone(width: u32, height: u32) -> Browser {
        let port = free_port();
        let driver = Command::new(program("CHROMEDRIVER", "chromedriver"))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver (apt-get install chromium-driver, or run .ci/browser)");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen on {port} within 20 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().expect("a profile folder");
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": program("CHROMIUM", "/usr/bin/chromium"),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
                    "--lang=zh-CN", "--window-size=500,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": { "intl.accept_languages": "zh-CN,zh" },
            },
        });
        let Value::Object(caps) = caps else { unreachable!("an object") };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a Chromium session through chromedriver");
        let b = Browser { client, driver, _profile: profile };
        b.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 2, "mobile": true }),
        )
        .await;
        b
    }

    /// A DevTools-protocol command through chromedriver.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.client
            .issue_cmd(Cdp { cmd: cmd.to_owned(), params })
            .await
            .unwrap_or_else(|e| panic!("DevTools command {cmd}: {e}"))
    }

    /// A number the page computes (`return …` JavaScript).
    pub async fn number(&self, script: &str) -> i64 {
        let v = self.client.execute(script, vec![]).await.expect("run a script");
        v.as_i64().or_else(|| v.as_f64().map(|f| f.round() as i64)).unwrap_or_else(|| panic!("{script} gave {v}"))
    }

    /// Saves the visible screen as `target/screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("a screenshot");
        save(name, &png)
    }

    /// Saves the whole page, however long, as `target/screenshots/<name>.png`.
    pub async fn full_page(&self, name: &str) -> PathBuf {
        let width = self.number("return document.documentElement.scrollWidth").await;
        let height = self.number("return document.documentElement.scrollHeight").await;
        let clip = json!({ "x": 0, "y": 0, "width": width, "height": height, "scale": 1 });
        let shot = self
            .cdp("Page.captureScreenshot", json!({ "format": "png", "captureBeyondViewport": true, "clip": clip }))
            .await;
        let data = shot["data"].as_str().expect("screenshot data");
        let png = base64::engine::general_purpose::STANDARD.decode(data).expect("base64 PNG");
        save(name, &png)
    }

    /// Ends the session and chromedriver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Our own child only, by its handle; harmless if already ended by `close`.
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// `target/screenshots/` of the workspace.
pub fn screenshots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("target").join("screenshots");
    std::fs::create_dir_all(&dir).expect("create target/screenshots");
    dir
}

fn save(name: &str, png: &[u8]) -> PathBuf {
    let path = screenshots().join(format!("{name}.png"));
    std::fs::write(&path, png).expect("write a screenshot");
    path
}

/// `POST /session/{id}/goog/cdp/execute`: chromedriver's door to the DevTools protocol.
#[derive(Debug)]
struct Cdp {
    cmd: String,
    params: Value,
}

/// `url::ParseError`, named through reqwest's re-exported `Url` (no extra dependency).
type UrlError = <Url as std::str::FromStr>::Err;

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base_url: &Url, session_id: Option<&str>) -> Result<Url, UrlError> {
        base_url.join(&format!("session/{}/goog/cdp/execute", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _request_url: &Url) -> (axum::http::Method, Option<String>) {
        (axum::http::Method::POST, Some(json!({ "cmd": self.cmd, "params": self.params }).to_string()))
    }
}
