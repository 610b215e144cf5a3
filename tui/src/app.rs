//! The dashboard application: feeds board snapshots into the model, turns keys into
//! actions, and draws. Generic over the ratatui backend and fed inputs from an iterator,
//! so tests drive it with `TestBackend` and scripted keys.

use crate::text::sanitize;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use vx_shm::{BoardReader, Canceller, SlotRead, now_unix_ms};

use crate::model::{Action, Filter, Model};
use crate::view::{Look, render, visible_rows};

/// One input to the dashboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// A key press.
    Key(KeyEvent),
    /// The terminal was resized (the next draw adapts).
    Resize,
    /// Time to poll the board.
    Tick,
}

impl Input {
    /// A plain key press, for scripts and tests.
    pub fn key(code: KeyCode) -> Input {
        Input::Key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    /// Ctrl + `c`.
    pub fn ctrl(c: char) -> Input {
        Input::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
    }
}

/// What is known of a slot's full failure reason (its board message is a short
/// status, capped at 112 bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// A child still runs for the slot: its reason comes when it is settled.
    Waiting,
    /// The full reason.
    Known(String),
    /// Nothing beyond the board's message (no child, or it said nothing more).
    Board,
}

/// What the process running the dashboard offers beyond the board.
pub trait Host {
    /// The full failure reason of slot `index` (only `vx sync` has one).
    fn reason(&self, _index: usize) -> Reason {
        Reason::Board
    }

    /// The captured stderr of slot `index` (only `vx sync` has it).
    fn stderr_tail(&self, _index: usize) -> Vec<String> {
        Vec::new()
    }

    /// Ctrl-C: cancel the whole sync. Returns false where that means nothing (watch),
    /// in which case Ctrl-C leaves the dashboard.
    fn interrupt(&self) -> bool {
        false
    }
}

/// A host with nothing to add: `vx board watch`.
pub struct Watcher;

impl Host for Watcher {}

/// Settings of a dashboard run.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Colours or not.
    pub look: Look,
    /// Leave as soon as the sync finishes instead of waiting for `q`.
    pub exit_on_done: bool,
}

/// How long between checks that the board's owner still lives (a syscall; not per frame).
const OWNER_CHECK_MS: u64 = 1000;

/// The dashboard over one board.
pub struct App<'a> {
    reader: &'a BoardReader,
    host: &'a dyn Host,
    options: Options,
    model: Model,
    reads: Vec<SlotRead>,
    /// Cancel requests, for a live board opened writable; `None` for a dump.
    canceller: Option<Canceller>,
    owner_checked_ms: u64,
    dirty: bool,
}

impl<'a> App<'a> {
    /// A dashboard over `reader`, before its first poll.
    pub fn new(reader: &'a BoardReader, host: &'a dyn Host, options: Options) -> App<'a> {
        let info = reader.info();
        let mut model = Model::new(sanitize(&info.label).into_owned(), info.created_unix_ms);
        model.name_rows(&info.names);
        let canceller = reader.canceller();
        model.read_only = canceller.is_none();
        App {
            reader,
            host,
            options,
            model,
            reads: Vec::with_capacity(info.slot_count),
            canceller,
            owner_checked_ms: 0,
            dirty: true,
        }
    }

    /// The model as of the last tick.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Polls the board at `now_ms`; returns whether the view changed. Stops polling once
    /// the board's owner is gone (its last state stays on screen).
    pub fn tick(&mut self, now_ms: u64) -> bool {
        if self.model.owner_gone {
            return false;
        }
        self.reader.snapshot_into(&mut self.reads);
        let mut changed = self.model.update(&self.reads, now_ms);
        if self.model.finished_ms.is_none() {
            if let Some(ms) = self.reader.finished_unix_ms() {
                self.model.finished_ms = Some(ms);
                self.model.interrupted = self.reader.was_interrupted();
                changed = true;
            } else if !self.reader.is_dump()
                && now_ms.saturating_sub(self.owner_checked_ms) >= OWNER_CHECK_MS
            {
                self.owner_checked_ms = now_ms;
                if !self.reader.owner_alive() {
                    self.model.owner_gone = true;
                    self.model.notice = Some("the sync that owns this board has exited".into());
                    changed = true;
                }
            }
        }
        changed
    }

    /// Handles one key with `visible` table rows on screen; returns an action for the
    /// caller when the dashboard should stop.
    pub fn key(&mut self, key: KeyEvent, visible: usize) -> Option<Action> {
        if key.kind != KeyEventKind::Press {
            return None;
        }
        let model = &mut self.model;
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            if self.host.interrupt() {
                model.notice = Some("interrupting: cancelling every tool…".into());
                return None;
            }
            return Some(Action::Quit);
        }
        if let Some(index) = model.confirm_cancel {
            model.confirm_cancel = None;
            if matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                let name = model
                    .rows
                    .get(index)
                    .map(|r| r.name.clone())
                    .unwrap_or_default();
                let sent = match &self.canceller {
                    Some(canceller) => canceller.request_cancel(index).map_err(|e| e.to_string()),
                    None => Err("this board is read-only (a dump, or opened read-only)".to_owned()),
                };
                model.notice = Some(match sent {
                    Ok(()) => format!("cancel requested for {name}"),
                    Err(error) => format!("cannot cancel {name}: {error}"),
                });
            }
            return None;
        }
        if model.help {
            model.help = false;
            return None;
        }
        if model.typing {
            type_search(model, key, visible);
            return None;
        }
        model.notice = None;
        let page = visible.max(1) as isize;
        match key.code {
            // Esc closes the detail pane, then clears a search or filter; it leaves
            // only from the plain main view.
            KeyCode::Esc if model.detail => model.detail = false,
            KeyCode::Esc if model.is_narrowed() => {
                model.search.clear();
                model.filter = Filter::All;
                model.keep_visible(visible);
            }
            KeyCode::Char('q') | KeyCode::Esc => return Some(Action::Quit),
            KeyCode::Char('/') => {
                model.typing = true;
                model.search.clear();
                model.keep_visible(visible);
            }
            KeyCode::Char('f') => {
                model.filter = model.filter.next();
                model.keep_visible(visible);
            }
            KeyCode::Up | KeyCode::Char('k') => model.move_selection(-1, visible),
            KeyCode::Down | KeyCode::Char('j') => model.move_selection(1, visible),
            KeyCode::PageUp => model.move_selection(-page, visible),
            KeyCode::PageDown => model.move_selection(page, visible),
            KeyCode::Home | KeyCode::Char('g') => model.select_edge(false, visible),
            KeyCode::End | KeyCode::Char('G') => model.select_edge(true, visible),
            KeyCode::Enter => model.detail = !model.detail,
            KeyCode::Char('?') => model.help = true,
            KeyCode::Char('c') => {
                if model.read_only {
                    model.notice = Some("a read-only board (a dump): nothing to cancel".into());
                } else if let Some(row) = model.selected_row() {
                    if row.is_done() {
                        model.notice = Some(format!("{} has already finished", row.name));
                    } else {
                        model.confirm_cancel = Some(model.selected);
                    }
                }
            }
            _ => {}
        }
        None
    }

    /// Runs the dashboard on `terminal` until the user leaves (or, with `exit_on_done`,
    /// the sync finishes or its owner dies; or the sync finishes interrupted) or
    /// `inputs` ends. `clock` gives the time in ms since the epoch.
    pub fn run<B: Backend>(
        &mut self,
        terminal: &mut Terminal<B>,
        inputs: impl IntoIterator<Item = Input>,
        mut clock: impl FnMut() -> u64,
    ) -> Result<(), B::Error> {
        self.tick(clock());
        self.draw(terminal)?;
        for input in inputs {
            let visible = visible_rows(&self.model, terminal.get_frame().area());
            match input {
                Input::Tick => self.dirty |= self.tick(clock()),
                Input::Resize => {
                    self.model.keep_visible(visible);
                    self.dirty = true;
                }
                Input::Key(key) => {
                    self.dirty = true;
                    if self.key(key, visible) == Some(Action::Quit) {
                        break;
                    }
                }
            }
            if self.dirty {
                self.draw(terminal)?;
            }
            // An interrupted sync leaves on its own, as it would without a dashboard;
            // with `exit_on_done`, so does a board whose owner died (it will never
            // finish).
            let over = self.model.is_finished() || self.model.owner_gone;
            if over && (self.options.exit_on_done || self.model.interrupted) {
                break;
            }
        }
        Ok(())
    }

    fn draw<B: Backend>(&mut self, terminal: &mut Terminal<B>) -> Result<(), B::Error> {
        self.model.stderr_tail = self
            .host
            .stderr_tail(self.model.selected)
            .iter()
            .map(|line| sanitize(line).into_owned())
            .collect();
        self.model.selected_reason = match self.host.reason(self.model.selected) {
            Reason::Known(reason) => Some(sanitize(&reason).into_owned()),
            Reason::Waiting | Reason::Board => None,
        };
        let area = terminal.get_frame().area();
        self.model.keep_visible(visible_rows(&self.model, area));
        let look = self.options.look;
        terminal.draw(|frame| render(frame, &self.model, look))?;
        self.dirty = false;
        Ok(())
    }
}

/// A key while the search is typed: text narrows the table as it is typed, Enter
/// keeps the search, Esc clears it.
fn type_search(model: &mut Model, key: KeyEvent, visible: usize) {
    match key.code {
        KeyCode::Enter => model.typing = false,
        KeyCode::Esc => {
            model.typing = false;
            model.search.clear();
        }
        KeyCode::Backspace => {
            model.search.pop();
        }
        KeyCode::Char(c) if !c.is_control() && model.search.chars().count() < 64 => {
            model.search.push(c)
        }
        _ => {}
    }
    model.keep_visible(visible);
}

/// Inputs from the real terminal: key presses and resizes as they come, and a tick every
/// `1/fps` seconds. Ends when `stop` is set (e.g. by a SIGTERM or SIGHUP handler) or when
/// the terminal can no longer be read.
///
/// Terminal events are read on a thread of their own: once a terminal hangs up, crossterm
/// 0.29 can spin inside its read without returning, and this way the dashboard still
/// sees `stop` and leaves. The thread reads only when an event is ready and stops
/// within [`READ_POLL`] once the inputs are dropped: after the dashboard is left while
/// the sync goes on, the shell's keystrokes stay the shell's.
pub fn terminal_inputs(fps: u32, stop: Arc<AtomicBool>) -> impl Iterator<Item = Input> {
    let period = Duration::from_secs_f64(1.0 / f64::from(fps.clamp(1, 240)));
    let (events, received) = mpsc::sync_channel::<Input>(64);
    let dropped = Arc::new(AtomicBool::new(false));
    let reader_done = Arc::clone(&dropped);
    let (exited, reader_exit) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        // Dropped on every return: the receiver learns the reader is gone.
        let _exited = exited;
        while !reader_done.load(Ordering::Relaxed) {
            match event::poll(READ_POLL) {
                Ok(false) => continue,
                Ok(true) => {}
                Err(_) => return,
            }
            let input = match event::read() {
                Ok(Event::Key(key)) => Input::Key(key),
                Ok(Event::Resize(..)) => Input::Resize,
                Ok(_) => continue,
                Err(_) => return,
            };
            if events.send(input).is_err() {
                return;
            }
        }
    });
    let mut next_tick = Instant::now() + period;
    let ticks = std::iter::from_fn(move || {
        if stop.load(Ordering::Relaxed) {
            return None;
        }
        let now = Instant::now();
        if now >= next_tick {
            next_tick = (next_tick + period).max(now);
            return Some(Input::Tick);
        }
        match received.recv_timeout(next_tick - now) {
            Ok(input) => Some(input),
            Err(RecvTimeoutError::Timeout) => {
                next_tick = (next_tick + period).max(Instant::now());
                Some(Input::Tick)
            }
            Err(RecvTimeoutError::Disconnected) => None,
        }
    });
    StopOnDrop {
        inner: ticks,
        flag: dropped,
        exited: reader_exit,
    }
}

/// How often the terminal reader checks whether it is still wanted.
pub const READ_POLL: Duration = Duration::from_millis(50);

/// An iterator that, when dropped, stops the terminal reader and waits (a few polls at
/// most: a reader stuck in a hung-up terminal is left behind) until it has, so no key
/// typed after the dashboard is gone is read by it.
struct StopOnDrop<I> {
    inner: I,
    flag: Arc<AtomicBool>,
    exited: mpsc::Receiver<()>,
}

impl<I: Iterator> Iterator for StopOnDrop<I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        self.inner.next()
    }
}

impl<I> Drop for StopOnDrop<I> {
    fn drop(&mut self) {
        self.flag.store(true, Ordering::Relaxed);
        let _ = self.exited.recv_timeout(READ_POLL * 4);
    }
}

/// Runs the dashboard in the real terminal (alternate screen, raw mode) and always
/// restores the terminal: on leaving, on error, and on panic (`enter`). Returns the
/// final model so the caller can print a summary to the normal screen.
pub fn run_in_terminal(
    reader: &BoardReader,
    host: &dyn Host,
    options: Options,
    fps: u32,
    stop: Arc<AtomicBool>,
) -> io::Result<Model> {
    let mut terminal = enter()?;
    let mut app = App::new(reader, host, options);
    let result = app.run(&mut terminal, terminal_inputs(fps, stop), now_unix_ms);
    // A terminal that is gone (closed, hung up) cannot be restored, nor told so.
    let _ = ratatui::try_restore();
    result?;
    Ok(app.model)
}

/// Raw mode and the alternate screen, with a panic hook (installed once) that leaves
/// them before the panic is reported. Not ratatui's `init`: its hook and `restore`
/// report a failure to restore with `eprintln!`, which panics when the terminal is gone
/// (closed under the dashboard: every write fails), and a panic while panicking
/// aborts, leaving the board and the children's work behind.
pub(crate) fn enter() -> io::Result<ratatui::DefaultTerminal> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let reported = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = ratatui::try_restore();
            reported(info);
        }));
    });
    ratatui::crossterm::terminal::enable_raw_mode()?;
    let entered = ratatui::crossterm::execute!(
        io::stdout(),
        ratatui::crossterm::terminal::EnterAlternateScreen
    );
    if let Err(e) = entered {
        let _ = ratatui::try_restore();
        return Err(e);
    }
    ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(io::stdout()))
}
