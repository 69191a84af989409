//! `advocase-bench`: the baselines `bench/run` compares the server against, measured
//! in the same run on the same machine, and the load generator for the public forms.
//! Each command prints one `BENCH key=value …` line.

mod baseline;
mod load;
mod stats;

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "advocase-bench",
    about = "Baselines and load for Advocase's benchmarks."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Call the eligibility engine in a loop.
    Eligibility {
        /// The request JSON, as the API receives it.
        #[arg(long)]
        body: PathBuf,
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Threads calling at once (default: one per core, as the server's runtime).
        #[arg(long)]
        threads: Option<usize>,
        /// Parse the request text and write the answer as JSON on every call too.
        #[arg(long)]
        with_json: bool,
    },
    /// Insert referrals straight into a fresh database, one transaction each.
    ReferralInsert {
        /// A SQLite file (created) or a postgres:// URL of an empty database.
        #[arg(long)]
        database: String,
        /// With `--via store`, where the audit head file goes, as the server keeps one.
        #[arg(long)]
        audit_head: Option<PathBuf>,
        /// The referral form body, as the public form sends it.
        #[arg(long)]
        form: PathBuf,
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Threads writing at once.
        #[arg(long, default_value_t = 8)]
        workers: usize,
        #[arg(long, value_enum, default_value_t = baseline::Via::Raw)]
        via: baseline::Via,
    },
    /// Insert contacts on one case of the server's database, one transaction each.
    ContactInsert {
        /// The server's SQLite file or its postgres:// URL.
        #[arg(long)]
        database: String,
        /// The server's key file, so the contacts are sealed as the server seals them.
        #[arg(long)]
        keys: PathBuf,
        /// The case to record the contacts on.
        #[arg(long)]
        case: i64,
        /// The contact form body, as the browser sends it.
        #[arg(long)]
        form: PathBuf,
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Threads writing at once.
        #[arg(long, default_value_t = 8)]
        workers: usize,
    },
    /// Run the aggregates behind a contract's report as plain SQL, in a loop.
    ReportSql {
        /// The server's SQLite file or its postgres:// URL.
        #[arg(long)]
        database: String,
        #[arg(long, default_value_t = 1)]
        contract: i64,
        /// The first day of the period, as 2025-04-01.
        #[arg(long)]
        from: String,
        /// The day after the period's last.
        #[arg(long)]
        to_exclusive: String,
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
    },
    /// Post a form to the server from many loopback addresses, under the throttle.
    Post {
        /// The server's address, such as 127.0.0.1:8080.
        #[arg(long)]
        server: std::net::SocketAddr,
        #[arg(long, default_value = "/refer")]
        path: String,
        #[arg(long)]
        form: PathBuf,
        #[arg(long, default_value_t = 8)]
        connections: usize,
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Requests from one source address; keep it under the throttle's burst.
        #[arg(long, default_value_t = 5)]
        per_address: u32,
        /// The first source address, counted from 127.1.0.1.
        #[arg(long, default_value_t = 0)]
        first_address: u64,
        /// Text every successful answer contains.
        #[arg(long, default_value = "id=\"reference\">R-")]
        expect: String,
        /// Threads generating load.
        #[arg(long, default_value_t = 2)]
        threads: usize,
    },
}

fn read(path: &PathBuf) -> anyhow::Result<String> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text.trim().to_string())
}

fn main() -> anyhow::Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    match Cli::parse().command {
        Command::Eligibility {
            body,
            seconds,
            threads,
            with_json,
        } => {
            let body = read(&body)?;
            let summary =
                baseline::eligibility(&body, seconds, threads.unwrap_or(cores), with_json)?;
            println!("{}", summary.line());
        }
        Command::ReferralInsert {
            database,
            audit_head,
            form,
            seconds,
            workers,
            via,
        } => {
            let form = read(&form)?;
            let summary =
                baseline::referral_insert(&database, audit_head, &form, seconds, workers, via)?;
            println!("{}", summary.line());
        }
        Command::ContactInsert {
            database,
            keys,
            case,
            form,
            seconds,
            workers,
        } => {
            let form = read(&form)?;
            let summary =
                baseline::contact_insert(&database, &keys, case, &form, seconds, workers)?;
            println!("{}", summary.line());
        }
        Command::ReportSql {
            database,
            contract,
            from,
            to_exclusive,
            seconds,
        } => {
            let summary = baseline::report_sql(&database, contract, &from, &to_exclusive, seconds)?;
            println!("{}", summary.line());
        }
        Command::Post {
            server,
            path,
            form,
            connections,
            seconds,
            per_address,
            first_address,
            expect,
            threads,
        } => {
            let plan = load::Plan {
                server,
                path,
                body: read(&form)?,
                connections,
                seconds,
                per_address,
                first_address,
                expect,
            };
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(threads.max(1))
                .enable_all()
                .build()?;
            let (summary, addresses) = runtime.block_on(load::post_forms(plan))?;
            println!("{} addresses={addresses}", summary.line());
        }
    }
    Ok(())
}
