"""tools/data/check_annotations.py: the report of an annotation file,
without videos."""

import importlib.util
import os.path as osp
import re
from collections import Counter

import numpy as np

from ..datasets._helpers import REAL_JSON
from ..datasets._merged_files import (
    CLASS_SOURCES,
    PATH_MAP,
    clean_entries,
    mixed_entries,
    write_json,
)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _tool():
    spec = importlib.util.spec_from_file_location(
        'check_annotations',
        osp.join(REPO, 'tools', 'data', 'check_annotations.py'),
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _config(tmp_path):
    path = tmp_path / 'cfg.py'
    path.write_text(
        'train_dataloader = dict(dataset=dict(\n'
        f"    type='TimestampSegmentDataset', path_map={PATH_MAP!r},\n"
        f'    class_sources={CLASS_SOURCES!r},\n'
        "    metainfo=dict(classes='ucf_msad')))\n".replace(
            "'ucf_msad'", repr(tuple(_ucf_msad()))
        )
    )
    return str(path)


def _ucf_msad():
    from fgclip_mm.annotations import UCF_MSAD_CLASSES

    return UCF_MSAD_CLASSES


def test_report_of_a_merged_file_with_every_defect(tmp_path, capsys):
    entries, clean_idx, bad = mixed_entries()
    # 2,500 entries: the defective block then clean ones
    entries += [clean_entries()[i % 8] for i in range(2500 - len(entries))]
    ann = write_json(str(tmp_path / 'merged.json'), entries)
    report = str(tmp_path / 'report.csv')
    assert (
        _tool().main(
            [
                ann,
                '--config',
                _config(tmp_path),
                '--report',
                report,
                '--max-listed',
                '3',
            ]
        )
        == 1
    )
    out = capsys.readouterr().out
    usable = 2500 - len(bad)
    assert out.startswith(
        f'{ann}: 2500 entries, {usable} usable, {len(bad)} skipped, 0 repaired'
    )
    skipped = dict(re.findall(r'^  (\w+) +(\d+)$', out, re.M))
    assert skipped == {
        r: str(n) for r, n in Counter(r for _, r, _ in bad).items()
    }
    assert skipped['count_mismatch'] == '3'
    # per source and class: an independent count over the valid entries
    counts = re.findall(r'^  (ucf_crime|msad) +(\w+) +(\d+)$', out, re.M)
    assert sum(int(n) for _, _, n in counts) == usable
    assert ('msad', 'RoadAccidents') in {(s, c) for s, c, _ in counts}
    valid = [
        entries[i] for i in range(len(entries)) if i not in {b[0] for b in bad}
    ]
    regions = [r for e in valid for r in e['box_infos'] if r]
    spans = [r[-1]['frame'] - r[0]['frame'] for r in regions]
    assert (
        f'Span per region (frames, last - first keyframe): min '
        f'{min(spans)}, median {np.median(spans):g}, mean '
        f'{np.mean(spans):.2f}'
    ) in out
    assert 'Keyframes per region: min 2, median 2, mean 2.00' in out
    assert f'... {len(bad) - 3} more (--report FILE lists all)' in out
    lines = open(report).read().splitlines()
    assert len(lines) == 1 + len(bad)


def test_repair_and_the_real_file(tmp_path, capsys):
    entries, _, bad = mixed_entries()
    ann = write_json(str(tmp_path / 'merged.json'), entries)
    assert (
        _tool().main(
            [ann, '--config', _config(tmp_path), '--invalid-entries', 'repair']
        )
        == 1
    )
    out = capsys.readouterr().out
    assert f'{len(bad) - 2} skipped, 2 repaired' in out
    assert 'Repaired entries: 2' in out
    assert _tool().main([REAL_JSON]) == 0
    out = capsys.readouterr().out
    assert '1559 entries, 1559 usable, 0 skipped' in out
    assert 'Boxes clamped to [0, 1]: 21' in out
    assert re.search(r'^  \(default\) +Normal +1327$', out, re.M)


def test_unusable_configuration_exits_2(tmp_path, capsys):
    entries = clean_entries()
    ann = write_json(str(tmp_path / 'merged.json'), entries)
    # no path_map for the MSAD entries: named, not skipped
    cfg = tmp_path / 'cfg.py'
    cfg.write_text(
        'train_dataloader = dict(dataset=dict(path_map={'
        "'UCF_Crimes_Videos/UCF_Crimes/Videos/': ''}))\n"
    )
    assert _tool().main([ann, '--config', str(cfg)]) == 2
    err = capsys.readouterr().err
    assert (
        'entry 1 (/data/local-files/?d=MSAD/Fire%2FFire_2.mp4): video ' in err
        and "is in 'MSAD/Fire/', which no prefix of path_map" in err
    )


def test_the_msad_config_reads_a_merged_file(tmp_path, capsys):
    entries, _, bad = mixed_entries()
    ann = write_json(str(tmp_path / 'merged.json'), entries)
    cfg = osp.join(REPO, 'configs', 'fgclip_msad.py')
    assert _tool().main([ann, '--config', cfg]) == 1
    out = capsys.readouterr().out
    assert f'{len(bad)} skipped, 0 repaired' in out
    assert 'Classes (18): Normal, Abuse' in out
    assert re.search(r'^  msad +RoadAccidents +1$', out, re.M)


def test_the_msad_config_prompts_follow_its_class_list():
    from mmengine.config import Config

    from fgclip_mm.annotations import UCF_MSAD_CLASSES, class_text

    cfg = Config.fromfile(osp.join(REPO, 'configs', 'fgclip_msad.py'))
    classes = tuple(cfg.train_dataloader.dataset.metainfo.classes)
    assert classes == UCF_MSAD_CLASSES
    assert tuple(cfg.test_dataloader.dataset.metainfo.classes) == classes
    prompts = cfg.model.scorer.classes
    assert len(prompts) == len(classes)
    # one prompt per class, in order (the UCF-Crime config's wording for
    # Normal and RoadAccidents)
    assert [p for p, c in zip(prompts, classes) if p != class_text(c)] == [
        'normal activity',
        'road accident',
    ]
