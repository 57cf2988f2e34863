"""The DAPT probe reads only train-split reports' text and cuts it into model-sized pieces."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("transformers", reason="needs the train extra: pip install -e '.[train]'")

from tests.conftest import needs_public_data
from training.dapt_probe import chunks, train_split_texts


def test_pieces_are_the_text_in_order_with_special_tokens() -> None:
    from transformers import AutoTokenizer

    from training.config import base_model_dir

    tokenizer = AutoTokenizer.from_pretrained(str(base_model_dir()))
    texts = ["The referral was not followed up. " * 20, "A second report field. " * 15]
    pieces = chunks(tokenizer, texts, size=32)
    assert pieces and all(len(p) == 32 for p in pieces)
    assert all(p[0] == tokenizer.cls_token_id and p[-1] == tokenizer.sep_token_id for p in pieces)
    stream = [t for p in pieces for t in p[1:-1]]
    whole = [t for text in texts for t in tokenizer(text, add_special_tokens=False)["input_ids"]]
    assert stream == whole[: len(stream)] and len(whole) - len(stream) < 30


def test_only_train_split_reports_are_read() -> None:
    needs_public_data("pfd")
    from training.labelling.pfd_source import FIELDS, FILES, load_reports, report_id
    from training.splits import split_of_report

    texts = set(train_split_texts())
    held_out = {
        (row.get(field) or "").strip()
        for file in FILES
        for record_id, row in load_reports(file).items()
        if split_of_report(report_id(record_id)) != "train"
        for field in FIELDS
    } - {""}
    assert texts and not texts & held_out


def test_fine_tuning_can_start_from_a_saved_encoder(tmp_path: Path) -> None:
    import torch
    from transformers import AutoModel

    from training.config import base_model_dir
    from training.model import new_model

    encoder = AutoModel.from_pretrained(str(base_model_dir()))
    with torch.no_grad():
        encoder.embeddings.word_embeddings.weight[7].fill_(0.5)
    encoder.save_pretrained(tmp_path / "adapted")
    started = new_model(encoder_from=str(tmp_path / "adapted"))
    plain = new_model()
    weights = started.base_model.embeddings.word_embeddings.weight
    assert torch.all(weights[7] == 0.5)
    assert not torch.all(plain.base_model.embeddings.word_embeddings.weight[7] == 0.5)
