//! The live dashboard of a vx progress board (see `DESIGN.md`); it reads the board only
//! through the `vx-shm` reader API.
#![forbid(unsafe_code)]
