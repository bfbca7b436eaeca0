//! Config files: classification.config and threshold.config.

pub mod classification;
pub mod threshold;

pub use classification::{Classification, Classifications};
pub use threshold::{load_threshold_config, parse_threshold_config, RateAction, ThresholdEntry};
