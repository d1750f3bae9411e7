//! Reports and exchange formats: the assessment as a spreadsheet laid out like the paper
//! self-assessment tool (a sheet per benchmark), as CSV, and the way back in from a filled-in
//! spreadsheet. Pure: bytes and data in, bytes and data out.

#![forbid(unsafe_code)]

pub mod assessment_sheet;
pub mod chart;
pub mod xlsx_read;
