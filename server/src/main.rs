//! `guidedesk`: see `cli.rs` for the commands.

// The import and the seed build and drop millions of small records, and the server many
// small requests: glibc's allocator was a third of the importer's time, mimalloc a fraction.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    server::cli::main()
}
