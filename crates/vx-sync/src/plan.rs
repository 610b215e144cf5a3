//! From a manifest to what `vx sync` will do: the board's tool entries and one install
//! config per slot.

use std::path::{Path, PathBuf};

use vx_shm::ToolEntry;

use crate::Settings;
use vx_model::config_frame::InstallConfig;
use vx_model::spec::ToolSpec;

/// The work of one sync: one config per tool, in manifest (= slot) order.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    /// The board's label (the manifest path).
    pub label: String,
    /// Slot `i` installs `configs[i]`.
    pub configs: Vec<InstallConfig>,
}

impl Plan {
    /// The plan for `tools` (from the manifest `label` names) into `store`, with
    /// `--allow-unverified` (or trust on first use) and `--read-timeout` applied; the
    /// board path is filled in by [`Plan::with_board`] once the board exists.
    pub(crate) fn new(label: &str, tools: &[ToolSpec], store: &Path, settings: &Settings) -> Plan {
        let configs = tools
            .iter()
            .enumerate()
            .map(|(slot, spec)| InstallConfig {
                slot: slot as u32,
                allow_unverified: settings.allow_unverified
                    || settings.first_use.contains(&spec.name),
                read_timeout_secs: settings.read_timeout_secs,
                probe: settings.probe,
                network: settings.network.clone(),
                offline: settings.offline,
                save_to: settings.save_to.clone(),
                ..InstallConfig::new(spec.clone(), store.to_path_buf())
            })
            .collect();
        Plan {
            label: label.to_owned(),
            configs,
        }
    }

    /// The board's entries, in slot order.
    pub(crate) fn entries(&self) -> Vec<ToolEntry<'_>> {
        self.configs
            .iter()
            .map(|cfg| ToolEntry {
                name: &cfg.spec.name,
                version: &cfg.spec.version,
            })
            .collect()
    }

    /// Points every config at the board at `board`.
    pub(crate) fn with_board(mut self, board: &Path) -> Plan {
        let board: PathBuf = board.to_path_buf();
        for cfg in &mut self.configs {
            cfg.board = Some(board.clone());
        }
        self
    }
}
