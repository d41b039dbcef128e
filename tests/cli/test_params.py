"""`--param KEY=VALUE` parsing and the jobs-file reader: values typed by the model's spec,
automatic ids from each job's content, the pre-check's words."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aireiter import ParamError
from aireiter._constants import OUT_TASK_ID_PATTERN
from aireiter.cli._jobs import IdScheme, assign_ids, new_salt, read_jobs, recover_scheme
from aireiter.cli._output import UsageError
from aireiter.cli._params import build_params, split_param


@pytest.mark.parametrize(
    ("model", "args", "expected"),
    [
        ("sora2", ["video_length=10"], {"video_length": "10"}),  # a string param stays a string
        ("seedance_1_5_pro", ["video_length=5"], {"video_length": 5}),  # integer param
        ("seedream_v4", ["output_n=2"], {"output_n": "2"}),  # enum of strings
        ("seedream_v5_lite", ["web_search=true"], {"web_search": True}),
        ("seedream_v5_lite", ["web_search=no"], {"web_search": False}),
        ("sora2", ["aspect_ratio=16:9"], {"aspect_ratio": "16:9"}),
        (
            "seedream_v4_5",
            ["image_url=https://a.example/1.png", "image_url=https://a.example/2.png"],
            {"image_url": ["https://a.example/1.png", "https://a.example/2.png"]},
        ),  # an array param: repeating appends
        (
            "seedream_v4_5",
            ['image_url=["https://x.example/a.png"]'],
            {"image_url": ["https://x.example/a.png"]},
        ),
        (
            "unknown_model_x",
            ["n=3", "flag=true", "name=abc"],
            {"n": 3, "flag": True, "name": "abc"},
        ),
        ("sora2", ["prompt=has = sign"], {"prompt": "has = sign"}),
    ],
)
def test_values_are_typed_by_the_spec(
    model: str, args: list[str], expected: dict[str, object]
) -> None:
    """JSON where it parses, the spec's type deciding the final value."""
    assert build_params(model, args) == expected


def test_prompt_option_and_repeats() -> None:
    """--prompt fills `prompt`; a non-array key given twice is an error naming it."""
    assert build_params("gpt_4o", [], prompt="a cat") == {"prompt": "a cat"}
    with pytest.raises(ParamError) as twice:
        build_params("sora2", ["video_length=10", "video_length=15"])
    assert twice.value.field == "video_length"
    with pytest.raises(ParamError) as both:
        build_params("sora2", ["prompt=x"], prompt="y")
    assert both.value.field == "prompt"


def test_malformed_param() -> None:
    """A --param without `=` is rejected with the expected form."""
    with pytest.raises(ParamError, match="KEY=VALUE"):
        split_param("resolution")
    with pytest.raises(ParamError):
        split_param("=2K")


def test_jobs_file_reading(tmp_path: Path) -> None:
    """Lines become jobs (comments and blanks skipped, params inline or nested); duplicates
    and bad lines are all reported with their numbers."""
    good = tmp_path / "good.jsonl"
    good.write_text(
        '# comment\n\n{"model": "gpt_4o", "prompt": "a"}\n'
        '{"model": "sora2", "params": {"prompt": "b"}, "out_task_id": "x-1", '
        '"metadata": {"k": 1}}\n'
    )
    jobs = read_jobs(good)
    assert [(j.line, j.model, dict(j.params)) for j in jobs] == [
        (3, "gpt_4o", {"prompt": "a"}),
        (4, "sora2", {"prompt": "b"}),
    ]
    assert jobs[1].out_task_id == "x-1"
    assert jobs[1].metadata == {"k": 1}
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"model": "gpt_4o", "prompt": "a", "out_task_id": "d"}\n'
        '{"model": "gpt_4o", "prompt": "b", "out_task_id": "d"}\n'
        '{"model": "gpt_4o", "prompt": "c", "out_task_id": "has space"}\n'
        "[1, 2]\n"
    )
    with pytest.raises(UsageError) as caught:
        read_jobs(bad)
    text = str(caught.value)
    assert "3 bad job line(s)" in text
    assert "line 2" in text
    assert "line 3" in text
    assert "line 4" in text
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n# nothing\n")
    with pytest.raises(UsageError, match="no jobs"):
        read_jobs(empty)


def _jobs_file(path: Path, *lines: dict[str, Any] | str) -> Path:
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    )
    return path


def _ids_by_prompt(path: Path, scheme: IdScheme) -> dict[str, list[str]]:
    jobs = read_jobs(path)
    found: dict[str, list[str]] = {}
    for job, oid in zip(jobs, assign_ids(jobs, scheme), strict=True):
        found.setdefault(str(job.params["prompt"]), []).append(oid)
    return found


def test_automatic_ids_follow_content_not_line_numbers(tmp_path: Path) -> None:
    """Inserting, removing and reordering lines changes no other job's id; identical lines
    get distinct ids; every id is a valid out_task_id; a line's own id is kept."""
    fox = {"model": "seedream_v4_5", "params": {"prompt": "fox", "aspect_ratio": "16:9"}}
    owl = {"model": "gpt_4o", "prompt": "owl", "metadata": {"n": 1}}
    cat = {"model": "gpt_4o", "prompt": "cat"}
    mine = {"model": "gpt_4o", "prompt": "mine", "out_task_id": "my-id"}
    scheme = IdScheme(new_salt())
    before = _ids_by_prompt(_jobs_file(tmp_path / "a.jsonl", fox, owl, cat, cat, mine), scheme)
    new = {"model": "gpt_4o", "prompt": "new"}
    same_fox = '{"params": {"aspect_ratio": "16:9", "prompt": "fox"},  "model": "seedream_v4_5"}'
    edited = _jobs_file(tmp_path / "b.jsonl", "# a comment", new, cat, mine, same_fox, cat)
    after = _ids_by_prompt(edited, scheme)
    assert after["fox"] == before["fox"]  # moved, keys reordered, spacing changed
    assert sorted(after["cat"]) == sorted(before["cat"])  # both copies, still two jobs
    assert len(set(after["cat"])) == 2
    assert after["mine"] == ["my-id"]
    assert "owl" not in after  # removed
    assert after["new"][0] not in {oid for ids in before.values() for oid in ids}
    every = [oid for ids in after.values() for oid in ids]
    assert all(OUT_TASK_ID_PATTERN.fullmatch(oid) for oid in every)
    assert len(set(every)) == len(every)


def test_the_salt_is_read_back_from_the_journals_ids(tmp_path: Path) -> None:
    """A new run gets a new salt (the same content, other ids); a resume finds its salt in
    the journal's ids; journals named by line number keep line ids."""
    path = _jobs_file(tmp_path / "jobs.jsonl", {"model": "gpt_4o", "prompt": "a"})
    jobs = read_jobs(path)
    first = IdScheme(new_salt())
    ids = assign_ids(jobs, first)
    assert recover_scheme(["user-given", *ids]) == first
    assert recover_scheme(["user-given"]) is None
    assert assign_ids(jobs, IdScheme(new_salt())) != ids
    legacy = recover_scheme(["b0123abcd-L7"])
    assert legacy == IdScheme("b0123abcd", by_line=True)
    assert assign_ids(jobs, legacy) == ["b0123abcd-L1"]


@pytest.mark.parametrize(
    ("model", "key", "value", "option"),
    [
        ("sora2", "video_length", 10, "video_length=10"),  # a string param given a number
        ("sora2", "video_length", "10", "video_length=10"),
        ("seedance_1_5_pro", "video_length", "5", "video_length=5"),  # an integer param
        ("seedance_1_5_pro", "video_length", 5, "video_length=5"),
        ("seedream_v5_lite", "web_search", "true", "web_search=true"),
        (
            "seedream_v4_5",
            "image_url",
            "https://a.example/1.png",
            "image_url=https://a.example/1.png",
        ),
    ],
)
def test_jsonl_values_are_typed_like_param_options(
    tmp_path: Path, model: str, key: str, value: object, option: str
) -> None:
    """A jobs-file value and the same --param text are sent as the same value."""
    line = {"model": model, "prompt": "p", key: value}
    (job,) = read_jobs(_jobs_file(tmp_path / "jobs.jsonl", line))
    assert job.params[key] == build_params(model, [option])[key]


def test_an_unknown_model_is_caught_with_a_suggestion(tmp_path: Path) -> None:
    """A misspelt model name is refused before anything is sent, with the closest names and
    the CLI's way to send it anyway; "validate": false or --no-validate lets it through
    exactly as written."""
    bad = _jobs_file(tmp_path / "bad.jsonl", {"model": "sora_2", "prompt": "x"})
    with pytest.raises(UsageError) as caught:
        read_jobs(bad)
    text = str(caught.value)
    assert "line 1" in text
    assert "did you mean 'sora2'" in text
    assert "--no-validate" in text
    line = {"model": "sora_2", "prompt": "x", "video_length": 10, "validate": False}
    (job,) = read_jobs(_jobs_file(tmp_path / "ok.jsonl", line))
    assert not job.validate
    assert dict(job.params) == {"prompt": "x", "video_length": 10}
    (loose,) = read_jobs(bad, validate=False)
    assert loose.model == "sora_2"
    assert not loose.validate


def test_extra_params_and_errors_in_the_clis_words(tmp_path: Path) -> None:
    """ "extra_params" go through unchecked (not into params); an unknown key is refused with
    the jobs file's and the CLI's words, never validate=False; a typed parameter in
    extra_params and a key outside "params" are refused."""
    line = {
        "model": "sora2",
        "params": {"prompt": "x"},
        "extra_params": {"seed": 7},
        "metadata": {"k": 1},
    }
    (job,) = read_jobs(_jobs_file(tmp_path / "ok.jsonl", line))
    assert dict(job.params) == {"prompt": "x"}
    assert job.extra_params == {"seed": 7}
    bad = _jobs_file(
        tmp_path / "bad.jsonl",
        {"model": "sora2", "prompt": "x", "seed": 7},
        {"model": "sora2", "params": {"prompt": "x"}, "extra_params": {"video_length": "10"}},
        {"model": "sora2", "params": {"prompt": "x"}, "seed": 7},
        {"model": "sora2", "prompt": "x", "validate": "no"},
    )
    with pytest.raises(UsageError) as caught:
        read_jobs(bad)
    text = str(caught.value)
    assert "4 bad job line(s)" in text
    assert '"extra_params"' in text
    assert "--no-validate" in text
    assert "validate=False" not in text
    assert "extra_params=" not in text
    assert 'put it in "params"' in text
    assert 'outside "params"' in text


def test_a_jobs_file_with_a_bom_and_crlf_reads_like_plain_utf8(tmp_path: Path) -> None:
    """Windows editors save UTF-8 with a byte-order mark and CRLF line ends: the same jobs,
    the same line numbers."""
    lines = '{"model": "gpt_4o", "prompt": "a"}\n\n{"model": "gpt_4o", "prompt": "b"}\n'
    plain = tmp_path / "plain.jsonl"
    plain.write_text(lines, encoding="utf-8")
    windows = tmp_path / "windows.jsonl"
    windows.write_bytes(b"\xef\xbb\xbf" + lines.replace("\n", "\r\n").encode())
    expected = [(j.line, j.model, dict(j.params)) for j in read_jobs(plain)]
    assert [(j.line, j.model, dict(j.params)) for j in read_jobs(windows)] == expected
    assert [line for line, _, _ in expected] == [1, 3]
