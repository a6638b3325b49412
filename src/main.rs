use std::process::ExitCode;

use clap::Parser;
use homeroom::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    homeroom::telemetry::init();
    match homeroom::commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("homeroom: {error:#}");
            ExitCode::FAILURE
        }
    }
}
