//! A throwaway PostgreSQL cluster for the integration tests.
//!
//! The first test to ask starts a cluster from the machine's own binaries; every test then
//! gets a fresh database in it. Test binaries have no teardown, so a watchdog shell stops
//! the server and deletes its files once this process has exited, however it exited.

use std::env;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{self, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::UNIX_EPOCH;

const NOT_INSTALLED: &str =
    "SKIPPED: PostgreSQL tests need initdb and pg_ctl (Debian package postgresql); skipping";
const SUPERUSER: &str = "homeroom";

/// Settings for a server whose data is thrown away: speed over durability, and enough
/// connections for every test's pool at once.
const SETTINGS: &str = "
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
listen_addresses = '127.0.0.1'
";

/// Where a test's PostgreSQL database lives, or why there is none.
pub fn fresh_database_url() -> Option<String> {
    // Failures are kept too, so that later tests do not each retry a slow failure.
    static CLUSTER: OnceLock<Result<Cluster, Unavailable>> = OnceLock::new();

    match CLUSTER.get_or_init(Cluster::start) {
        Ok(cluster) => Some(cluster.create_database()),
        Err(Unavailable::NotInstalled) if env::var("CI").as_deref() == Ok("true") => {
            panic!("{NOT_INSTALLED}")
        }
        Err(Unavailable::NotInstalled) => None,
        Err(Unavailable::Broken(message)) => panic!("{message}"),
    }
}

/// Why this process has no cluster.
enum Unavailable {
    NotInstalled,
    Broken(String),
}

/// A running server, which the watchdog removes after this process exits.
struct Cluster {
    bin: PathBuf,
    port: u16,
}

impl Cluster {
    fn start() -> Result<Self, Unavailable> {
        let Some(bin) = find_bin_dir() else {
            // Written past the test harness's capture, which would otherwise hide it.
            let _ = writeln!(io::stderr(), "{NOT_INSTALLED}");
            return Err(Unavailable::NotInstalled);
        };
        let nanos = UNIX_EPOCH.elapsed().unwrap_or_default().as_nanos();
        let dir = env::temp_dir().join(format!("homeroom-pg-{}-{nanos}", process::id()));

        Self::launch(bin, &dir).map_err(|error| {
            let dir = dir.display();
            Unavailable::Broken(format!("no test PostgreSQL in {dir}: {error}"))
        })
    }

    fn launch(bin: PathBuf, dir: &Path) -> io::Result<Self> {
        let account = ServerAccount::for_this_process();
        make_private_dir(dir, &account)?;
        let data = dir.join("data");
        let log = dir.join("server.log");

        // Before anything else can fail, so that every failure below is cleaned up too.
        let mut stop = account.command(&bin.join("pg_ctl"));
        stop.args(["stop", "-m", "fast", "-D"]).arg(&data);
        spawn_watchdog(dir, &stop)?;

        let mut initdb = account.command(&bin.join("initdb"));
        initdb.args(["-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-sync"]);
        // The locale is pinned so that sorting does not depend on the developer's machine.
        initdb.args(["--locale=C.UTF-8", "--no-instructions", "-D"]);
        run(initdb.arg(&data), None)?;

        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let conf = data.join("postgresql.conf");
        let mut conf = OpenOptions::new().append(true).open(conf)?;
        writeln!(conf, "{SETTINGS}port = {port}")?;
        writeln!(conf, "unix_socket_directories = '{}'", dir.display())?;

        let mut pg_ctl = account.command(&bin.join("pg_ctl"));
        pg_ctl.args(["start", "-w", "-t", "30", "-l"]).arg(&log);
        run(pg_ctl.arg("-D").arg(&data), Some(&log))?;
        Ok(Cluster { bin, port })
    }

    fn create_database(&self) -> String {
        static CREATED: AtomicUsize = AtomicUsize::new(0);
        let number = CREATED.fetch_add(1, Ordering::Relaxed);
        let name = format!("t_{number}_{}", process::id());

        let port = self.port.to_string();
        let mut createdb = Command::new(self.bin.join("createdb"));
        createdb.args(["-h", "127.0.0.1", "-p", &port, "-U", SUPERUSER]);
        if let Err(error) = run(createdb.args(["--no-password", &name]), None) {
            panic!("could not create test database {name}: {error}");
        }
        format!("postgres://{SUPERUSER}@127.0.0.1:{port}/{name}")
    }
}

/// The account the server runs as, since initdb and postgres refuse to run as root.
struct ServerAccount(Option<&'static str>);

impl ServerAccount {
    fn for_this_process() -> Self {
        let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
        let uids = status.lines().find_map(|line| line.strip_prefix("Uid:"));
        if uids.and_then(|uids| uids.split_whitespace().nth(1)) != Some("0") {
            return ServerAccount(None);
        }

        let postgres = Command::new("id").arg("postgres").output();
        let exists = postgres.is_ok_and(|output| output.status.success());
        ServerAccount(Some(if exists { "postgres" } else { "nobody" }))
    }

    fn command(&self, program: &Path) -> Command {
        let Some(name) = self.0 else {
            return Command::new(program);
        };
        let mut command = Command::new("runuser");
        command.args(["-u", name, "--"]).arg(program);
        // The account may not be allowed into the caller's working directory.
        command.current_dir("/");
        command
    }
}

/// The directory holding `initdb` and `pg_ctl`: PATH first, then Debian's newest version.
fn find_bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<u32> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    versions.sort_unstable_by(|a, b| b.cmp(a));
    let debian = versions
        .iter()
        .map(|v| PathBuf::from(format!("/usr/lib/postgresql/{v}/bin")));

    let path = env::var_os("PATH").unwrap_or_default();
    let tools = ["pg_ctl", "postgres", "createdb"];
    env::split_paths(&path)
        .chain(debian)
        // Through symlinks such as /usr/local/bin/initdb, to where createdb lives as well.
        .filter_map(|dir| fs::canonicalize(dir.join("initdb")).ok())
        .filter_map(|initdb| initdb.parent().map(Path::to_path_buf))
        .find(|bin| tools.iter().all(|tool| bin.join(tool).is_file()))
}

fn make_private_dir(dir: &Path, account: &ServerAccount) -> io::Result<()> {
    fs::create_dir(dir)?;
    let Some(name) = account.0 else {
        return Ok(());
    };

    run(Command::new("chown").arg(format!("{name}:")).arg(dir), None)?;
    // A TMPDIR under root's home would otherwise be out of the account's reach.
    for parent in fs::canonicalize(dir)?.ancestors().skip(1) {
        let mode = fs::metadata(parent)?.permissions().mode() & 0o7777;
        if mode & 0o001 == 0 {
            fs::set_permissions(parent, fs::Permissions::from_mode(mode | 0o001))?;
        }
    }
    Ok(())
}

/// Starts a shell that waits for this process to end, then runs `stop` and deletes `dir`.
fn spawn_watchdog(dir: &Path, stop: &Command) -> io::Result<()> {
    let script = r#"test_pid=$1 dir=$2; shift 2
        while kill -0 "$test_pid" 2>/dev/null; do sleep 1; done
        "$@"; rm -rf "$dir""#;
    let test_pid = process::id().to_string();

    Command::new("sh")
        .args(["-c", script, "postgres-watchdog", &test_pid])
        .arg(dir)
        .arg(stop.get_program())
        .args(stop.get_args())
        // A group of its own, so that a Ctrl-C aimed at the tests does not skip the cleanup.
        .process_group(0)
        .current_dir("/")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(drop)
}

/// Runs a command to completion; a failure carries its output and the tail of `log`.
fn run(command: &mut Command, log: Option<&Path>) -> io::Result<()> {
    let output = command.stdin(Stdio::null()).output()?;
    if output.status.success() {
        return Ok(());
    }

    let printed = [output.stdout, output.stderr].concat();
    let printed = String::from_utf8_lossy(&printed);
    let log = log.map(tail).unwrap_or_default();
    let failure = format!("{command:?} failed, {}:\n{printed}{log}", output.status);
    Err(io::Error::other(failure))
}

fn tail(log: &Path) -> String {
    let text = fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let last = lines[lines.len().saturating_sub(20)..].join("\n");
    format!("last lines of {}:\n{last}", log.display())
}
