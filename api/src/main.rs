//! The `yungui` binary: see `yungui --help`.

fn main() -> std::process::ExitCode {
    yungui_api::cli::main()
}
