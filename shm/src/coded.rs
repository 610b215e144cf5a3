//! The one shape of a phase stored in a slot as a `u32` code ([`crate::Phase`] for an
//! install, [`crate::TaskPhase`] for a task): the enum, every value in code order, the
//! code, the decoding of an untrusted code, the phase's bit in a slot's `phases_seen`,
//! its label, which phases are outcomes and which are successes. Written once here so
//! the two enums cannot drift apart in how they decode or what a bit means.

/// Declares a phase enum whose codes run from `$first` up by one, in the order given.
/// `terminal` and `success` list the outcomes; each variant carries its doc and label.
macro_rules! coded_phases {
    (
        $(#[$meta:meta])*
        pub enum $name:ident from $first:literal {
            $($(#[$vmeta:meta])* $variant:ident = $code:literal => $label:literal,)+
        }
        terminal: $($terminal:ident)|+;
        success: $($success:ident)|+;
    ) => {
        $(#[$meta])*
        #[repr(u32)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant = $code,)+
        }

        impl $name {
            /// Every phase, in code order.
            pub const ALL: [$name; [$($name::$variant),+].len()] = [$($name::$variant),+];

            /// The code stored in a slot.
            pub const fn code(self) -> u32 {
                self as u32
            }

            /// The phase's bit in a slot's `phases_seen`: one bit per phase after the
            /// first (bit `code - first - 1`), none for the first.
            pub const fn seen_bit(self) -> u8 {
                match self.code() - $first {
                    0 => 0,
                    n => 1 << (n - 1),
                }
            }

            /// Decodes a stored code; `None` for a code this enum does not define
            /// (the segment is untrusted).
            pub fn from_code(code: u32) -> Option<$name> {
                $name::ALL.get(code.checked_sub($first)? as usize).copied()
            }

            /// True once the phase is an outcome: its writer will publish no more.
            pub const fn is_terminal(self) -> bool {
                matches!(self, $($name::$terminal)|+)
            }

            /// True for the outcomes that count as success.
            pub const fn is_success(self) -> bool {
                matches!(self, $($name::$success)|+)
            }

            /// A short lower-case label for reports, `vx ps`, JSON and the daemon.
            pub const fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

pub(crate) use coded_phases;
