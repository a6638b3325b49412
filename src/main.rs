use std::process::ExitCode;

use clap::Parser;
use homeroom::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    homeroom::telemetry::init();
    match homeroom::commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line, even when a cause (such as libpq's) spans several.
            let message = format!("{error:#}");
            eprintln!(
                "homeroom: {}",
                message.split_whitespace().collect::<Vec<_>>().join(" ")
            );
            ExitCode::FAILURE
        }
    }
}
