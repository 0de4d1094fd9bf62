"""Command line: each command is a few lines over one :class:`~companion.engine.Engine` method."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from companion import __version__
from companion.clock import clock
from companion.encryption import PASSPHRASE_VARIABLE, passphrase
from companion.errors import Cancelled, CompanionError
from companion.export.agenda import AGENDA_FORMATS, render_agenda
from companion.export.minutes import MINUTES_FORMATS, render_minutes
from companion.jobs import Job, Progress, run_job
from companion.kg.views import GRAPH_FORMATS
from companion.llm.backend import SMOLLM2
from companion.logs import setup_logging
from companion.runtime import DEVICE_CHOICES
from companion.settings import (
    ENVIRONMENT,
    KEYS,
    Settings,
    as_text,
    change_setting,
    checked_key,
    effective_settings,
    settings_path,
)
from companion.transcript_files import EXPORT_FORMATS, write_transcript

if TYPE_CHECKING:
    from companion.engine import Engine
    from companion.kg.store import Retention

log = logging.getLogger(__name__)
T = TypeVar("T")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="companion", description="Meeting Companion: local meeting transcripts, minutes and team memory."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data-dir", help="data folder (default: $COMPANION_DATA_DIR, else the settings file's "
                                           "data_dir, else the user data dir)")
    parser.add_argument("--device", choices=DEVICE_CHOICES,
                        help="where models run (default: the settings file's device, else auto)")
    parser.add_argument("--model", dest="whisper_model",
                        help="speech model of whole recordings: fast (bundled tiny.en), balanced, accurate, or a "
                             "faster-whisper model name or folder (default: the settings file's speech_model, else "
                             "fast)")
    parser.add_argument("--summary-model",
                        help=f"language model that may rewrite the summary: {SMOLLM2} (bundled), gpt2, a folder, or "
                             "none (default: the settings file's summary_model, else none: the grounding gate kept "
                             "none of its summaries of real meetings)")
    parser.add_argument("--allow-download", action="store_true", help="fetch a named model that is missing")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    transcribe = commands.add_parser("transcribe", help="transcribe an audio/video file (or convert a transcript)")
    transcribe.add_argument("audio", type=Path)
    transcribe.add_argument("--format", choices=EXPORT_FORMATS, default="txt")
    transcribe.add_argument("-o", "--output", type=Path, help="write to FILE instead of stdout")
    transcribe.add_argument("--speakers", nargs="?", type=_speaker_count, const=0, default=None, metavar="N",
                            help="label who spoke when (N: how many people speak, when known)")
    transcribe.set_defaults(run=_transcribe)

    process = commands.add_parser("process", help="transcribe or import a meeting and store it for a team")
    process.add_argument("input", type=Path, help="audio, video, or transcript (VTT, SRT, txt, JSON)")
    process.add_argument("--team", required=True)
    process.add_argument("--title")
    process.add_argument("--date", help="YYYY-MM-DD (default: the file's date)")
    process.add_argument("--participants", default="", help="comma-separated names")
    process.add_argument("--json", action="store_true", help="print the minutes as JSON instead of the id")
    process.add_argument("--speakers", type=_speaker_count, default=0, metavar="N",
                         help="how many people speak (default: estimated; 0 = estimate)")
    process.add_argument("--no-speakers", action="store_true", help="do not find or name speakers")
    process.set_defaults(run=_process)

    batch = commands.add_parser("batch", help="import a team's archive of recordings and transcripts on a Ray cluster")
    batch.add_argument("inputs", type=Path, nargs="+", metavar="FOLDER_OR_FILE",
                       help="folders (searched throughout) and files: audio, video or transcripts")
    batch.add_argument("--team", required=True)
    batch.add_argument("--participants", default="", help="comma-separated names")
    batch.add_argument("--address", help="join a running Ray cluster: auto, HOST:PORT or ray://HOST:PORT "
                                         "(default: start a local one sized to this machine)")
    batch.add_argument("--workers", type=_positive, help="worker actors (default: as many as the cluster has room for)")
    batch.add_argument("--gpus-per-worker", type=float, default=0.0, metavar="G",
                       help="GPUs each worker takes (workers then run on GPU nodes, CUDA float16)")
    batch.add_argument("--metrics-port", type=_positive, metavar="P",
                       help="serve Prometheus metrics at http://127.0.0.1:P/metrics while the batch runs")
    batch.add_argument("--json", action="store_true", help="print the report as JSON")
    batch.set_defaults(run=_batch)

    minutes = commands.add_parser("minutes", help="export a stored meeting's minutes")
    minutes.add_argument("meeting_id", type=int)
    minutes.add_argument("--format", choices=MINUTES_FORMATS, default="md")
    minutes.add_argument("-o", "--output", type=Path, help="write to FILE instead of stdout")
    minutes.add_argument("--shareable", action="store_true",
                         help="for minutes that leave the machine: no evidence quotes, never the transcript")
    minutes.set_defaults(run=_minutes)

    meetings = commands.add_parser("meetings", help="list a team's meetings")
    meetings.add_argument("--team", required=True)
    meetings.add_argument("--json", action="store_true")
    meetings.set_defaults(run=_meetings)

    record = commands.add_parser("record", help="record a meeting with a live transcript; Ctrl-C stops and processes")
    record.add_argument("--team", required=True)
    record.add_argument("--title")
    record.add_argument("--participants", default="",
                        help="comma-separated names (they also help the live transcript hear them)")
    record.add_argument("--input-device",
                        help="input device index or name (see 'companion devices'; default: the settings file's "
                             "input_device, else the system default)")
    record.add_argument("--system-audio", action=argparse.BooleanOptionalAction,
                        help="also record what the computer plays (the other side of a call) as channel 2 "
                             "(default: the settings file's system_audio)")
    record.add_argument("--input-file", type=Path, help="replay an audio file as the microphone, in real time")
    record.set_defaults(run=_record)

    devices = commands.add_parser("devices", help="list sound inputs")
    devices.set_defaults(run=_devices)

    recover = commands.add_parser("recover", help="repair and process recordings a crash left unfinished")
    recover.add_argument("--list", action="store_true", help="only list them")
    recover.set_defaults(run=_recover)

    transcript = commands.add_parser("transcript", help="print a stored meeting's transcript")
    transcript.add_argument("meeting_id", type=int)
    transcript.add_argument("--format", choices=EXPORT_FORMATS, default="txt")
    transcript.add_argument("-o", "--output", type=Path)
    transcript.set_defaults(run=_transcript)

    ask = commands.add_parser("ask", help="answer a question from a team's meetings, with citations")
    ask.add_argument("question")
    ask.add_argument("--team", required=True)
    ask.add_argument("--json", action="store_true", help="print the answer and its citations as JSON")
    ask.add_argument("--speak", action="store_true", help="also read the answer aloud")
    ask.set_defaults(run=_ask)

    agenda = commands.add_parser("agenda", help="the next meeting's agenda from what is still open")
    agenda.add_argument("--team", required=True)
    agenda.add_argument("--date", help="YYYY-MM-DD (default: the next meeting the minutes named)")
    agenda.add_argument("--format", choices=AGENDA_FORMATS, default="md")
    agenda.add_argument("-o", "--output", type=Path, help="write to FILE instead of stdout")
    agenda.set_defaults(run=_agenda)

    graph = commands.add_parser("graph", help="export a team's knowledge graph")
    graph.add_argument("--team", required=True)
    graph.add_argument("--format", choices=GRAPH_FORMATS, default="graphml")
    graph.add_argument("-o", "--output", type=Path, help="write to FILE instead of stdout")
    graph.set_defaults(run=_graph)

    doctor = commands.add_parser("doctor", help="check the data folder, the store and the models; say what to do")
    doctor.set_defaults(run=_doctor)

    backup = commands.add_parser("backup", help="write a consistent copy of the meeting store")
    backup.add_argument("output", type=Path, help="the copy to write (replaced safely if it exists)")
    backup.set_defaults(run=_backup)

    delete = commands.add_parser("delete", help="delete a meeting (or a whole team) and everything derived from it, "
                                                "for good")
    delete.add_argument("meeting_id", nargs="?", type=int, metavar="MEETING_ID")
    delete.add_argument("--team", help="delete this whole team instead")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete.set_defaults(run=_delete)

    encrypt = commands.add_parser(
        "encrypt", help=f"encrypt the data folder in place: asks for a new passphrase (or reads "
                        f"${PASSPHRASE_VARIABLE}); the OS keychain keeps the key when there is one")
    encrypt.set_defaults(run=_encrypt)
    decrypt = commands.add_parser("decrypt", help="decrypt the data folder in place and forget its key")
    decrypt.set_defaults(run=_decrypt)

    retention = commands.add_parser("retention", help="how long a team keeps audio and meetings; apply it now")
    retention.add_argument("--team", help="the team whose rule to show or set (default: list every rule)")
    retention.add_argument("--audio-days", type=_days, default=argparse.SUPPRESS, metavar="N|forever",
                           help="keep audio N days after the meeting (its transcript and minutes stay)")
    retention.add_argument("--meeting-days", type=_days, default=argparse.SUPPRESS, metavar="N|forever",
                           help="keep whole meetings N days after the meeting")
    retention.add_argument("--apply", action="store_true", help="delete what the rules no longer keep, now")
    retention.set_defaults(run=_retention)

    language = commands.add_parser("language", help="the language a team's recordings are heard in (default: "
                                                   "detected per meeting)")
    language.add_argument("--team", required=True)
    language.add_argument("language", nargs="?", metavar="CODE|detect",
                          help="hear the team's recordings in this language (a Whisper code: de, en, es, hi ...); "
                               "detect: detect each meeting's again")
    language.set_defaults(run=_language)

    speakers = commands.add_parser("speakers", help="list, name or forget a team's remembered voices")
    speakers.add_argument("--team", required=True)
    speakers.add_argument("--rename", nargs=3, metavar=("MEETING_ID", "LABEL", "NAME"),
                          help='call speaker LABEL (e.g. "Speaker 2") of a meeting NAME and remember the voice')
    speakers.add_argument("--forget", metavar="NAME", help="delete NAME's voice profile")
    speakers.set_defaults(run=_speakers)

    config = commands.add_parser("config", help="show or change the settings file the app and the command line share")
    actions = config.add_subparsers(dest="action", metavar="ACTION")
    actions.add_parser("list", help="every setting and its value (the default action)")
    actions.add_parser("path", help="where the settings file is")
    actions.add_parser("get", help="one setting's value").add_argument("key", metavar="KEY")
    set_ = actions.add_parser("set", help="change a setting")
    set_.add_argument("key", metavar="KEY", help=f"one of: {', '.join(KEYS)}")
    set_.add_argument("value", metavar="VALUE")
    actions.add_parser("unset", help="put a setting back to its default").add_argument("key", metavar="KEY")
    return parser


def _speaker_count(text: str) -> int:
    if not text.isdigit() or int(text) > 50:
        raise argparse.ArgumentTypeError(f"expected a number of speakers from 0 to 50, got {text!r}")
    return int(text)


def _days(text: str) -> int | None:
    if text.strip().lower() == "forever":
        return None
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"expected a number of days or 'forever', got {text!r}")
    return int(text)


def _positive(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"expected a number from 1 to 65535, got {text!r}")
    return int(text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    flags: dict[str, str | bool | None] = {"data_dir": args.data_dir, "device": args.device,
                                            "speech_model": args.whisper_model, "summary_model": args.summary_model}
    if args.command is None:  # no sub-command: the desktop app, with the same global options
        from companion.ui.app import main as gui_main

        return gui_main(flags, allow_download=args.allow_download, verbose=args.verbose)
    from companion.kg.store import DATABASE_ERRORS, STORE_FILE, store_error

    log_file = setup_logging(args.verbose)
    try:
        if args.command == "config":
            _config(args)
            return 0
        for key in ("input_device", "system_audio"):  # the record command's
            flags[key] = getattr(args, key, None)
        args.settings = effective_settings(flags)  # what the commands read besides their own arguments
    except CompanionError as error:
        print(f"companion: error: {error}", file=sys.stderr)
        return 1
    engine = args.settings.engine(allow_download=args.allow_download, ask_passphrase=_ask_passphrase)
    try:
        args.run(engine, args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
    except BrokenPipeError:
        # The reader went away (``companion ... | head``): end quietly, as Python's signal docs recommend.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # as a shell reports a process ended by SIGPIPE
    except (Cancelled, KeyboardInterrupt):
        print("companion: cancelled", file=sys.stderr)
        return 130
    except CompanionError as error:
        print(f"companion: error: {error}", file=sys.stderr)
        return 1
    except DATABASE_ERRORS as error:  # the store's file failed under a running command
        print(f"companion: error: {store_error(engine.data_dir / STORE_FILE, error)}", file=sys.stderr)
        return 1
    except Exception as error:
        log.exception("unexpected error")
        print(f"companion: internal error: {error} (details in {log_file})", file=sys.stderr)
        return 3
    finally:
        engine.close()
    return 0


def _ask_passphrase(prompt: str) -> str:
    """Ask for a passphrase on the terminal, without echo.

    Raises:
        CompanionError: there is no terminal to ask on.
    """
    if not sys.stdin.isatty():
        raise CompanionError(f"the data folder is encrypted: set {PASSPHRASE_VARIABLE} or run the command on a "
                             "terminal to be asked for the passphrase")
    return getpass.getpass(prompt, stream=sys.stderr)


def _new_passphrase(engine: Engine) -> str:
    """A new passphrase: from the environment, else asked twice on the terminal."""
    def twice(prompt: str) -> str:
        first = _ask_passphrase(prompt)
        if _ask_passphrase("Again, to be sure: ") != first:
            raise CompanionError("the two passphrases differ: nothing was encrypted")
        return first

    return passphrase(engine.data_dir, twice, f"New passphrase for {engine.data_dir}: ")


def _encrypt(engine: Engine, args: argparse.Namespace) -> None:
    conversion = engine.encrypt(lambda: _new_passphrase(engine))
    what = "the meeting store and " if conversion.store else ""
    print(f"encrypted {engine.data_dir}: {what}{len(conversion.files)} file(s); keep the passphrase safe, "
          "nothing in the folder can be read without it")


def _decrypt(engine: Engine, args: argparse.Namespace) -> None:
    conversion = engine.decrypt()
    what = "the meeting store and " if conversion.store else ""
    print(f"decrypted {engine.data_dir}: {what}{len(conversion.files)} file(s)")


def _transcribe(engine: Engine, args: argparse.Namespace) -> None:
    transcript = _with_progress(
        engine.transcribe(args.audio, speakers=args.speakers is not None, num_speakers=args.speakers or None), engine
    )
    _emit(write_transcript(transcript, args.format), args.output, engine)


def _process(engine: Engine, args: argparse.Namespace) -> None:
    meeting = _with_progress(
        engine.process(
            args.input, args.team, title=args.title, date=args.date, participants=args.participants.split(","),
            speakers=not args.no_speakers, num_speakers=args.speakers or None,
        ),
        engine,
    )
    if args.json:
        _emit(render_minutes(meeting, engine.minutes(meeting.id), "json"), None)
    else:
        _emit(str(meeting.id), None)


def _batch(engine: Engine, args: argparse.Namespace) -> None:
    try:
        from companion.batch.driver import BatchOptions, BatchProgress, run_batch
    except ImportError as error:
        if getattr(sys, "frozen", False):  # the installers leave Ray out (packaging/companion.spec says why)
            raise CompanionError("batch import on Ray is not part of the installed app; it runs from the pip "
                                 "install: pip install 'meeting-companion[cluster]'") from error
        raise CompanionError(f"batch needs Ray ({error.name} is missing): "
                             "pip install 'meeting-companion[cluster]'") from error
    options = BatchOptions(args.team, tuple(args.participants.split(",")), args.address, args.workers,
                           args.gpus_per_worker, args.metrics_port)
    job = run_batch(engine, args.inputs, options)
    with contextlib.redirect_stdout(sys.stderr):  # Ray prints cluster events to stdout: the report alone goes there
        if sys.stderr.isatty():
            from tqdm import tqdm

            with tqdm(file=sys.stderr, unit="file", leave=False) as bar:
                report = run_job(job, lambda e: _show_batch(bar, e) if isinstance(e, BatchProgress) else None)
        else:
            report = run_job(job)
    if args.json:
        _emit(json.dumps(report.to_dict(), indent=2), None)
    else:
        _emit(f"stored {len(report.stored)} meetings ({report.audio_s / 3600:.2f} h of audio) in "
              f"{report.wall_s:.0f} s; skipped {len(report.skipped)}; failed {len(report.failed)}", None)
    for failure in report.failed:
        print(f"companion: error: {failure.reason}", file=sys.stderr)
    if report.failed:
        raise CompanionError(f"{len(report.failed)} files failed (above); the others were stored")


def _show_batch(bar: Any, progress: Any) -> None:
    bar.total = progress.total
    bar.n = progress.done + progress.failed
    bar.set_postfix_str(f"{progress.audio_s / 3600:.2f} h audio, {progress.failed} failed", refresh=False)
    bar.refresh()


def _minutes(engine: Engine, args: argparse.Namespace) -> None:
    meeting = engine.meeting(args.meeting_id)
    rendered = render_minutes(meeting, engine.minutes(meeting.id), args.format, shareable=args.shareable)
    if isinstance(rendered, bytes) and args.output is None:
        raise CompanionError(f"{args.format.upper()} is a binary format: give a file with -o FILE")
    _emit(rendered, args.output, engine)


def _meetings(engine: Engine, args: argparse.Namespace) -> None:
    meetings = engine.meetings(args.team)
    if args.json:
        listing = [{**m.summary_dict(), "language": m.language} for m in meetings]
        _emit(json.dumps(listing, indent=2, ensure_ascii=False), None)
        return
    for m in meetings:
        print(f"{m.id:>5}  {m.date}  {clock(m.duration_s):>8}  {m.language}  {m.title}  ({', '.join(m.participants)})")


def _transcript(engine: Engine, args: argparse.Namespace) -> None:
    _emit(write_transcript(engine.meeting(args.meeting_id).transcript, args.format), args.output, engine)


def _record(engine: Engine, args: argparse.Namespace) -> None:
    from companion.audio.capture import ArraySource, fallback_microphone, open_inputs
    from companion.audio.decode import decode_audio
    from companion.audio.recording import RecordingControl, RecordingStatus
    from companion.audio.streaming import LiveTranscript

    settings: Settings = args.settings
    microphone, system = open_inputs(settings.input_device, settings.system_audio)
    if args.input_file:
        microphone = ArraySource(decode_audio(args.input_file), name=str(args.input_file))
    control = RecordingControl()
    previous = signal.signal(signal.SIGINT, lambda *_: control.stop())  # first Ctrl-C: stop and process
    participants = [p.strip() for p in args.participants.split(",") if p.strip()]
    job = engine.record(args.team, microphone, system_audio=system, title=args.title, participants=participants,
                        control=control)
    reported_error = None
    speaker = ""
    began = False

    def show(event: Any) -> None:
        nonlocal reported_error, microphone, speaker, began
        if isinstance(event, RecordingStatus) and not began:  # only now is what is said kept
            print("Recording. Press Ctrl-C to stop.", file=sys.stderr, flush=True)
            began = True
        if isinstance(event, LiveTranscript) and event.committed:
            lines = [""]
            for name, words in event.speaker_runs():
                if name and name != speaker:  # a new speaker: a new line with their name
                    lines.append(f"{name}:")
                    speaker = name
                lines[-1] = " ".join([lines[-1], *(w.text.strip() for w in words)]).lstrip()
            print("\n".join(line for line in lines if line), file=sys.stderr, flush=True)
        elif isinstance(event, RecordingStatus) and event.error and event.error != reported_error:
            reported_error = event.error
            print(f"companion: {event.error}; the recording so far is kept in {event.path}", file=sys.stderr)
            spare = fallback_microphone(microphone)
            if spare is not None:  # a chosen device went away: the default takes over
                print("companion: carrying on with the default input", file=sys.stderr)
                control.switch_microphone(spare)
                microphone = spare
            else:
                control.stop()
        elif isinstance(event, Progress) and control.stop_requested:
            signal.signal(signal.SIGINT, previous)  # processing: a second Ctrl-C cancels it

    try:
        meeting = run_job(job, show)
    finally:
        signal.signal(signal.SIGINT, previous)
    _emit(str(meeting.id), None)


def _devices(engine: Engine, args: argparse.Namespace) -> None:
    from companion.audio.capture import input_devices

    found = input_devices()
    if not found:
        raise CompanionError("no sound input found")
    for d in found:
        print(f"{d.index:>3}{' *' if d.is_default else '  '} {d.name} ({d.channels} ch, {d.default_rate:.0f} Hz)")


def _recover(engine: Engine, args: argparse.Namespace) -> None:
    unfinished = engine.unfinished_recordings()
    if not unfinished:
        print("no unfinished recordings", file=sys.stderr)
        return
    for path in unfinished:
        if args.list:
            print(path)
            continue
        meeting = _with_progress(engine.recover(path), engine)
        print(f"{meeting.id}\t{path}")


def _ask(engine: Engine, args: argparse.Namespace) -> None:
    answer = engine.ask(args.question, args.team)
    if args.json:
        _emit(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False), None)
    else:
        cited = [f"  [{c.title}, {c.date}, {clock(c.start)}] {c.quote}" for c in answer.citations]
        _emit("\n".join([answer.answer, *cited]), None)
    if args.speak:
        engine.speak(answer.answer, args.settings.voice or None)


def _agenda(engine: Engine, args: argparse.Namespace) -> None:
    _emit(render_agenda(engine.agenda(args.team, args.date), args.format), args.output, engine)


def _graph(engine: Engine, args: argparse.Namespace) -> None:
    _emit(engine.export_graph(args.team, args.format), args.output, engine)


def _doctor(engine: Engine, args: argparse.Namespace) -> None:
    findings = engine.doctor()
    for finding in findings:
        print(f"{'ok' if finding.ok else 'PROBLEM':8} {finding.check}: {finding.detail}")
        if finding.advice:
            print(f"{'':8} what to do: {finding.advice}")
    problems = sum(not finding.ok for finding in findings)
    if problems:
        raise CompanionError(f"doctor found {problems} problem(s); see above")


def _backup(engine: Engine, args: argparse.Namespace) -> None:
    engine.backup(args.output)
    print(f"backed up the meeting store to {args.output}")


def _delete(engine: Engine, args: argparse.Namespace) -> None:
    if (args.meeting_id is None) == (args.team is None):
        raise CompanionError("give a MEETING_ID or --team TEAM to delete (not both)")
    if args.team is not None:
        what = f"team {args.team!r} with its {len(engine.meetings(args.team))} meeting(s)"
    else:
        meeting = engine.meeting(args.meeting_id)
        what = f"meeting {meeting.id} “{meeting.title}” ({meeting.date}) of team {meeting.team!r}"
    if not args.yes:
        _confirm(f"Delete {what} and everything derived from it, for good?")
    deletion = engine.delete_team(args.team) if args.team is not None else engine.delete_meeting(args.meeting_id)
    print(f"deleted {what}")
    for path in deletion.left:
        print(f"left {path}: your own file, outside the data folder")


def _confirm(question: str) -> None:
    """Ask on the terminal; no terminal, or any answer but yes, is a refusal."""
    if not sys.stdin.isatty():
        raise CompanionError("not deleting without confirmation: run it on a terminal, or add --yes")
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    if sys.stdin.readline().strip().lower() not in ("y", "yes"):
        raise CompanionError("nothing was deleted")


def _retention(engine: Engine, args: argparse.Namespace) -> None:
    if args.team is not None:
        rule = engine.retention(args.team)
        if "audio_days" in args or "meeting_days" in args:
            rule = engine.set_retention(args.team, audio_days=getattr(args, "audio_days", rule.audio_days),
                                        meeting_days=getattr(args, "meeting_days", rule.meeting_days))
        print(_rule(rule))
    elif "audio_days" in args or "meeting_days" in args:
        raise CompanionError("--audio-days and --meeting-days need --team TEAM")
    elif not args.apply:
        rules = engine.retention_rules()
        print("\n".join(map(_rule, rules)) if rules else "no retention rules: every team keeps everything")
    if args.apply:
        run = engine.apply_retention()
        for meeting in run.audio_deleted:
            print(f"deleted the audio of meeting {meeting.id} “{meeting.title}” ({meeting.date})")
        for meeting in run.deleted.meetings:
            print(f"deleted meeting {meeting.id} “{meeting.title}” ({meeting.date}) of team {meeting.team!r}")


def _rule(rule: Retention) -> str:
    def period(days: int | None) -> str:
        return "for ever" if days is None else f"{days} days"

    return f"{rule.team}: audio {period(rule.audio_days)}, meetings {period(rule.meeting_days)}"


def _language(engine: Engine, args: argparse.Namespace) -> None:
    if args.language is None:
        code = engine.team_language(args.team)
    else:
        code = engine.set_team_language(args.team, None if args.language.strip() == "detect" else args.language)
    print(f"{args.team}: {code if code else 'detected per meeting'}")


def _speakers(engine: Engine, args: argparse.Namespace) -> None:
    if args.rename:
        meeting_id, label, name = args.rename
        if not meeting_id.isdigit() or engine.meeting(int(meeting_id)).team != args.team:
            raise CompanionError(f"team {args.team!r} has no meeting {meeting_id!r}")
        learnt = engine.rename_speaker(int(meeting_id), label, name)
        print(f"{label} is now {name}" + ("; the voice is remembered" if learnt else " (no voice to remember)"))
    elif args.forget:
        engine.forget_speaker(args.team, args.forget)
        print(f"forgot {args.forget}'s voice")
    for profile in engine.speakers(args.team):
        meetings = f"{profile.samples} meeting" + "s" * (profile.samples != 1)
        print(f"{profile.name}  (voice from {meetings}, updated {profile.updated_at})")


def _config(args: argparse.Namespace) -> None:
    where = f"companion config {args.action}"
    if args.action == "path":
        print(settings_path())
        return
    if args.action in ("set", "unset"):
        value = args.value if args.action == "set" else None
        if args.key == "data_dir" and value and value.strip():  # a folder relative to where the command ran
            value = str(Path(value.strip()).expanduser().absolute())
        change_setting(args.key, value, where)
        return
    settings = Settings.load()
    if args.action in (None, "list"):
        defaults = Settings()
        for key in KEYS:
            value = getattr(settings, key)
            notes = ["default"] if value == getattr(defaults, key) else []
            if os.environ.get(ENVIRONMENT.get(key, "")):
                notes.append(f"${ENVIRONMENT[key]} overrides it: {os.environ[ENVIRONMENT[key]]}")
            print(f"{key} = {as_text(value)}".rstrip() + "".join(f"  ({note})" for note in notes))
    else:
        print(as_text(getattr(settings, checked_key(args.key, where))))


def _emit(content: str | bytes, output: Path | None, engine: Engine | None = None) -> None:
    """Print ``content``, or write it to ``output`` through ``engine`` (sealed inside an encrypted data folder)."""
    if output is None:
        text = content.decode() if isinstance(content, bytes) else content
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    assert engine is not None, "a file is written through the engine"
    try:
        engine.save_export(output, content)
    except OSError as error:
        problem = error.strerror or str(error)
        raise CompanionError(f"{output}: cannot write ({problem}); nothing there was changed") from error


def _with_progress(job: Job[T], engine: Engine) -> T:
    """Run ``job`` with a progress bar on an interactive terminal (silently otherwise); say first when the chosen
    speech model is missing and tiny.en stands in."""
    if engine.runtime.speech_notice:
        print(f"companion: warning: {engine.runtime.speech_notice}", file=sys.stderr, flush=True)
    if not sys.stderr.isatty():
        return run_job(job)
    from tqdm import tqdm

    bar_format = "{desc}: {percentage:3.0f}%|{bar}| {elapsed}"
    with tqdm(total=1.0, file=sys.stderr, leave=False, bar_format=bar_format) as bar:
        on_event: Callable[[Any], None] = lambda event: _show(bar, event)  # noqa: E731
        if engine.runtime.notice:
            bar.write(engine.runtime.notice)
        return run_job(job, on_event)


def _show(bar: Any, event: Any) -> None:
    if isinstance(event, Progress):
        bar.set_description_str(event.stage)
        bar.n = round(event.fraction, 3)
        bar.refresh()

