"""What the service's tests (test_serve_*.py and the serve fixtures of conftest.py) share: the
reload token, a features-only record, and serving or re-exporting a copy of an assigner folder.

persona.serve needs FastAPI, an optional extra: it is imported when a helper runs, after the
test module has skipped itself without it."""

import shutil

TOKEN = "s3cret-token"

FEATURES = {"customer_id": "c-42", "features": {"behaviour__share_channel_app": 0.7}}


def served_with(assigner_path, tmp_path, **settings):
    """A copy of the assigner folder and an app serving it: (folder, app)."""
    from persona.serve import ServeSettings, create_app

    folder = shutil.copytree(assigner_path, tmp_path / "assigner")
    return folder, create_app(folder, ServeSettings(reload_token=TOKEN, **settings))


def re_export(folder, export):
    """What exporting another model to the same folder does: its files, the manifest last."""
    source, version = export
    for name in ("assigner.json", "assigner.npz", "manifest.json"):
        shutil.copyfile(source / name, folder / name)
    return version
