//! # samla
//!
//! samla turns the Excel follow-up templates that Swedish healthcare regions
//! return into one consolidated follow-up. The modules follow the data flow:
//!
//! [`plan`] (the plan spec) → [`template`] (region templates) → [`reader`]
//! (returned workbooks, in a [`sandbox`]) → [`validate`] → [`merge`] →
//! [`report`] (consolidated workbook, discrepancy report, JSON). The
//! template's format contract, shared by writer, reader and validator, is
//! [`contract`].
//!
//! The command-line tool in `src/main.rs` is a thin layer over this crate;
//! the tests drive both.
//!
//! ```no_run
//! use samla::{plan::Plan, pipeline::{MergeOptions, run_merge}};
//! let plan = Plan::load("templates/cancerplan-norr-2022-2024.toml")?;
//! let outcome = run_merge(&plan, &MergeOptions::new("samples", "out"))?;
//! println!("{}", outcome.summary.one_line());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

pub mod allocator;
pub mod contract;
pub mod finding;
pub mod history;
pub mod merge;
pub mod oserror;
pub mod output;
pub mod pipeline;
pub mod plan;
pub mod rating;
pub mod reader;
pub mod report;
pub mod rounds;
pub mod sandbox;
pub mod template;
pub mod validate;

pub use finding::{Finding, FindingCode, Location, Severity};
pub use plan::{GoalId, Plan, RegionCode};
pub use rating::Rating;
