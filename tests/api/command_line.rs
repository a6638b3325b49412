//! The `homeroom` binary, run as a school's IT person would run it.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::on_both_databases;
use crate::support::{GOOD_PASSWORD, TestApp, location};

fn homeroom() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_homeroom"));
    command
        .env_remove("DATABASE_URL")
        .env_remove("HOMEROOM_SMS_TRANSPORT")
        .env("NO_COLOR", "1");
    command
}

/// Runs the binary with `stdin` as standard input; answers (success, stdout, stderr).
fn run(command: &mut Command, stdin: &str) -> (bool, String, String) {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
    (
        output.status.success(),
        text(output.stdout),
        text(output.stderr),
    )
}

#[test]
fn help_lists_every_command() {
    let (ok, stdout, _) = run(homeroom().arg("--help"), "");

    assert!(ok);
    for word in [
        "serve",
        "migrate",
        "create-user",
        "--bind",
        "--database-url",
    ] {
        assert!(stdout.contains(word), "--help mentions {word}:\n{stdout}");
    }
    let (ok, stdout, _) = run(homeroom().args(["create-user", "--help"]), "");
    assert!(ok);
    assert!(stdout.contains("--role"), "{stdout}");
}

#[test]
fn bad_settings_stop_the_start_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("h.db").display());
    let cases: [(&[(&str, &str)], &str); 4] = [
        (
            &[("HOMEROOM_SMS_TRANSPORT", "pigeon")],
            "HOMEROOM_SMS_TRANSPORT",
        ),
        (
            &[("DATABASE_URL", "mysql://localhost/homeroom")],
            "DATABASE_URL",
        ),
        (
            &[("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")],
            "database",
        ),
        (
            &[("HOMEROOM_DEFAULT_REGION", "Narnia")],
            "HOMEROOM_DEFAULT_REGION",
        ),
    ];

    for (env, named) in cases {
        let mut command = homeroom();
        command
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("DATABASE_URL", &database);
        command.envs(env.iter().copied());
        let (ok, _, stderr) = run(&mut command, "");

        assert!(!ok, "{env:?} stops the start");
        assert_eq!(
            stderr.trim().lines().count(),
            1,
            "one line for {env:?}:\n{stderr}"
        );
        assert!(stderr.contains(named), "{env:?} is named:\n{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn serve_on_port_zero_logs_the_real_address_and_the_setup_link() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = homeroom()
        .args(["--bind", "127.0.0.1:0"])
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("new.db").display()),
        )
        .env("HOMEROOM_SMS_OUTBOX", dir.path().join("outbox.jsonl"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();

    let started = Instant::now();
    let (mut listening, mut setup) = (None, None);
    while setup.is_none() && started.elapsed() < Duration::from_secs(30) {
        let Some(Ok(line)) = lines.next() else { break };
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .map(str::to_owned);
        if line.contains("listening") {
            listening = url;
        } else if line.contains("/setup/") {
            setup = url;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let listening = listening.expect("a line with the address");
    assert!(!listening.ends_with(":0"), "{listening}");
    let setup = setup.expect("a line with the setup link");
    assert!(setup.starts_with(&format!("{listening}/setup/")), "{setup}");
}

#[test]
fn migrate_prepares_a_new_database_and_exits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.db");

    let (ok, stdout, stderr) = run(
        homeroom()
            .arg("migrate")
            .env("DATABASE_URL", format!("sqlite://{}", path.display())),
        "",
    );

    assert!(ok, "{stderr}");
    assert!(stdout.contains("up to date"), "{stdout}");
    assert!(path.exists(), "the SQLite file was created");
}

async fn create_user_makes_an_account_that_signs_in(app: TestApp) {
    let (ok, stdout, stderr) = run(
        homeroom()
            .args(["create-user", "frontdesk", "--role", "office"])
            .env("DATABASE_URL", &app.database_url),
        &format!("{GOOD_PASSWORD}\n"),
    );
    assert!(ok, "{stderr}");
    assert!(stdout.contains("frontdesk"), "{stdout}");

    let response = app.sign_in("frontdesk", GOOD_PASSWORD).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");
}

async fn create_user_refuses_a_weak_password_and_a_taken_name(app: TestApp) {
    let create = |name: &str, password: &str| {
        run(
            homeroom()
                .args(["create-user", name, "--role", "admin"])
                .env("DATABASE_URL", &app.database_url),
            &format!("{password}\n"),
        )
    };

    let (ok, _, stderr) = create("clerk", "short");
    assert!(!ok);
    assert!(stderr.contains("15 characters"), "{stderr}");

    assert!(create("clerk", GOOD_PASSWORD).0);
    let (ok, _, stderr) = create("Clerk", GOOD_PASSWORD);
    assert!(!ok);
    assert!(stderr.contains("already exists"), "{stderr}");
}

on_both_databases!(
    create_user_makes_an_account_that_signs_in,
    create_user_refuses_a_weak_password_and_a_taken_name,
);

/// Reads the running binary's standard output into a shared list of lines.
fn collect_lines(child: &mut std::process::Child) -> std::sync::Arc<std::sync::Mutex<Vec<String>>> {
    let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = lines.clone();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    lines
}

async fn csrf_of(client: &reqwest::Client, url: &str) -> String {
    let page = crate::support::Page::of(client.get(url).send().await.unwrap()).await;
    page.value("input[name=csrf_token]").expect("a CSRF token")
}

async fn post(client: &reqwest::Client, url: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    client.post(url).form(fields).send().await.unwrap()
}

#[actix_web::test]
async fn logs_record_changes_with_numbers_masked_and_no_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox.jsonl");
    let mut child = homeroom()
        .args(["--bind", "127.0.0.1:0"])
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("log.db").display()),
        )
        .env("HOMEROOM_SMS_OUTBOX", &outbox)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = collect_lines(&mut child);
    let mut setup = None;
    for _ in 0..300 {
        let found = lines
            .lock()
            .unwrap()
            .iter()
            .find(|l| l.contains("/setup/"))
            .cloned();
        setup = found.and_then(|l| l.split_whitespace().last().map(str::to_owned));
        if setup.is_some() {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    let setup = setup.expect("a setup link");
    let base = setup.split("/setup/").next().unwrap().to_owned();
    let client = || {
        reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap()
    };

    let staff = client();
    let token = csrf_of(&staff, &setup).await;
    let account = [
        ("csrf_token", token.as_str()),
        ("username", "admin"),
        ("password", GOOD_PASSWORD),
        ("password_confirm", GOOD_PASSWORD),
    ];
    post(&staff, &setup, &account).await;
    let token = csrf_of(&staff, &format!("{base}/constituents/new")).await;
    let parent = [
        ("csrf_token", token.as_str()),
        ("first_name", "Ana"),
        ("last_name", "Lee"),
        ("persona", "parent"),
        ("phone", "201 555 0143"),
        ("phone_sms", "on"),
    ];
    post(&staff, &format!("{base}/constituents"), &parent).await;
    let portal = client();
    let token = csrf_of(&portal, &format!("{base}/portal/sign-in")).await;
    post(
        &portal,
        &format!("{base}/portal/sign-in"),
        &[("csrf_token", &token), ("phone", "2015550143")],
    )
    .await;
    let mut code = None;
    for _ in 0..100 {
        if let Ok(text) = std::fs::read_to_string(&outbox)
            && !text.is_empty()
        {
            code = Some(crate::support::code_in(&text));
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let code = code.expect("a code in the outbox");
    let token = csrf_of(&portal, &format!("{base}/portal/verify")).await;
    let signed_in = post(
        &portal,
        &format!("{base}/portal/verify"),
        &[("csrf_token", &token), ("code", &code)],
    )
    .await;
    assert!(
        signed_in.url().path().ends_with("/portal"),
        "the parent signed in"
    );
    child.kill().unwrap();
    child.wait().unwrap();

    let log = lines.lock().unwrap().join("\n");
    assert!(
        log.contains("recorded a change") && log.contains("+1••••••••43"),
        "{log}"
    );
    let token = setup.rsplit('/').next().unwrap();
    let without_setup_line: String = log.lines().filter(|l| !l.contains("/setup/")).collect();
    for secret in [
        "2015550143",
        "555-0143",
        "555 0143",
        GOOD_PASSWORD,
        code.as_str(),
        token,
    ] {
        assert!(
            !without_setup_line.contains(secret),
            "the log shows {secret:?}:\n{log}"
        );
    }
}
