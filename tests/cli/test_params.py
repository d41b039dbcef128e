"""`--param KEY=VALUE` parsing and the jobs-file reader: values typed by the model's spec."""

from __future__ import annotations

from pathlib import Path

import pytest

from aireiter import ParamError
from aireiter.cli._jobs import auto_out_task_id, new_run_id, read_jobs, recover_run_id
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


def test_auto_ids_survive_a_resume() -> None:
    """Jobs without an id get `<run id>-L<line>`; the run id is found again in the journal."""
    run = new_run_id()
    ids = ["user-given", auto_out_task_id(run, 7)]
    assert recover_run_id(ids) == run
    assert recover_run_id(["user-given"]) is None
    assert new_run_id() != run
