//! What each command of the command line does.

use std::io::BufRead;

use anyhow::{Context, bail};

use crate::cli::{Cli, Command, RoleArg};
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::audit::Actor;
use crate::db::{self, Database};
use crate::domain::staff::{NewPassword, Role, Username};
use crate::passwords;
use crate::startup::Application;

/// Runs the command the user chose; `serve` when none.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(&cli)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings),
        Command::Migrate => {
            Database::open(&settings.database)?;
            println!("The database is up to date.");
            Ok(())
        }
        Command::CreateUser { username, role } => create_user(&settings, &username, role),
    }
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async {
        let app = Application::build(settings, Clock::default())?;
        tracing::info!("Homeroom is listening on {}", app.base_url());
        if let Some(setup_url) = app.setup_url() {
            tracing::info!(
                "No staff account exists yet. Create the first administrator at {setup_url}"
            );
        }
        app.run().await.context("the server stopped")
    })
}

fn create_user(settings: &Settings, username: &str, role: RoleArg) -> anyhow::Result<()> {
    let username = Username::parse(username).context("that username cannot be used")?;
    let role = match role {
        RoleArg::Admin => Role::Admin,
        RoleArg::Office => Role::Office,
    };

    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("could not read the password")?;
    let typed = line.strip_suffix('\n').unwrap_or(&line);
    let typed = typed.strip_suffix('\r').unwrap_or(typed);
    let password = NewPassword::parse(typed, &username).context("that password cannot be used")?;

    let db = Database::open(&settings.database)?;
    let hash = passwords::hash(password.expose())?;
    let now = Clock::default().now();
    let actor = Actor::command_line();
    let created = db.run_blocking(|conn| {
        db::staff::create(conn, username.as_str(), role.as_str(), &hash, &actor, now)
    })?;
    if created.is_none() {
        bail!("a staff account named {username} already exists");
    }
    println!("Created {role} account {username}.");
    Ok(())
}
