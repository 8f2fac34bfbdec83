//! `guidedesk`: see `cli.rs` for the commands.

fn main() -> std::process::ExitCode {
    server::cli::main()
}
