//! Settings and where each comes from: the effective network settings made from flags,
//! the environment, the project and the user config ([`network`]), and the view of
//! every setting with its source that `vx config` prints ([`view`]).

pub mod edit;
pub mod network;
pub mod view;
