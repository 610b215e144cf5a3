//! PyPI.
