//! `soc-server` binary: parses the command line and hands over to [`soc_server::cli`].

/// mimalloc instead of the system allocator: ingest allocates and frees many small
/// objects (parsed records, SQLite's per-statement memory) on several threads, where
/// glibc's malloc spent about 13% of the server's CPU.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    soc_server::cli::main()
}
