//! Prints the supported keyword table (Markdown) for the README.

fn main() {
    print!("{}", sensor_rules::keywords::markdown_table());
    println!();
    println!("Unsupported (rules using them are skipped):");
    println!();
    for (k, reason) in sensor_rules::keywords::UNSUPPORTED {
        println!("- `{k}`: {reason}");
    }
}
