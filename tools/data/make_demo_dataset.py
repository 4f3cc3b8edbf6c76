"""Write the small synthetic demo dataset (real mp4 files + annotations).

Example::

    python tools/data/make_demo_dataset.py --out data/demo --seed 0
    # the split where regions matter: a crowd and small anomalies
    python tools/data/make_demo_dataset.py --out data/demo_small --seed 0 \
        --small-anomalies

See ``fgclip_mm/datasets/demo_data.py`` and ``docs/data_preparation.md``.
"""

import argparse
import json

from fgclip_mm.datasets import demo_data


def parse_args(demo) -> argparse.Namespace:
    defaults = demo.DemoConfig()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='data/demo', help='output directory')
    parser.add_argument('--seed', type=int, default=0)
    for field, value in vars(defaults).items():
        flag = '--' + field.replace('_', '-')
        if isinstance(value, bool):  # e.g. --small-anomalies
            parser.add_argument(flag, action='store_true')
            continue
        parser.add_argument(
            flag, type=type(value), default=value, help=f'(default: {value})'
        )
    return parser.parse_args()


def main() -> None:
    demo = demo_data
    args = parse_args(demo)
    cfg = demo.DemoConfig(
        **{k: getattr(args, k) for k in vars(demo.DemoConfig())}
    )
    summary = demo.make_demo_dataset(args.out, seed=args.seed, cfg=cfg)
    print(json.dumps(summary, indent=1))


if __name__ == '__main__':
    main()
