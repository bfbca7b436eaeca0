//! `soc-server` binary: parses the command line and hands over to [`soc_server::cli`].

fn main() -> std::process::ExitCode {
    soc_server::cli::main()
}
