//! The command line: `homeroom [serve | migrate | create-user]`.

use clap::{Parser, Subcommand, ValueEnum};

/// A school office's directory of families, with a Parent Portal opened by text message.
#[derive(Debug, Parser)]
#[command(name = "homeroom", version)]
pub struct Cli {
    /// Address to listen on; port 0 picks a free one.
    #[arg(
        long,
        env = "HOMEROOM_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: String,

    /// `sqlite://PATH` (created if missing) or `postgres://USER:PASSWORD@HOST/DB`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://homeroom.db",
        hide_env_values = true,
        global = true
    )]
    pub database_url: String,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending migrations, then serve the web app (the default).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Create a staff account; the password is the first line of standard input.
    CreateUser {
        /// The name the account signs in with.
        username: String,
        /// What the account may do.
        #[arg(long, value_enum)]
        role: RoleArg,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    /// Manages staff accounts and reads the audit trail.
    Admin,
    /// Keeps constituent profiles.
    Office,
}
