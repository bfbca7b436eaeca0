//! Rule parsing: header, options, files.

pub(crate) mod byte;
pub(crate) mod content;
pub mod fastpattern;
pub mod load;
pub(crate) mod packet;
pub(crate) mod pcre;
pub mod rule;
pub(crate) mod util;
