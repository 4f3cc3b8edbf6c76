import os.path as osp

from setuptools import find_packages, setup


def read_requirements(path):
    reqs = []
    with open(osp.join(osp.dirname(__file__), path)) as f:
        for line in f:
            line = line.split('#')[0].strip()
            if line and not line.startswith('-r'):
                reqs.append(line)
    return reqs


def read_version():
    scope = {}
    with open(osp.join(osp.dirname(__file__), 'fgclip_mm', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


setup(
    name='fgclip_mm',
    version=read_version(),
    description='FG-CLIP video anomaly detection as an MMAction2 plugin',
    long_description=open(osp.join(osp.dirname(__file__), 'README.md')).read()
    if osp.exists(osp.join(osp.dirname(__file__), 'README.md'))
    else '',
    long_description_content_type='text/markdown',
    packages=find_packages(include=['fgclip_mm', 'fgclip_mm.*']),
    python_requires='>=3.9',
    install_requires=read_requirements('requirements.txt'),
    extras_require={'tests': ['pytest', 'scikit-video']},
    license='Apache-2.0',
    zip_safe=False,
)
