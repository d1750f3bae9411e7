//! Self-assessments with their answers and history, comments, and the actions raised from gaps.

pub mod actions;
pub mod assessments;
pub mod comments;
mod decode;
mod rows;
pub mod tables;
