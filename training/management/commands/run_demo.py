"""`manage.py run_demo SLUG [--param NAME=VALUE ...] [--json]`: run a demo in this process.

Nothing is queued or stored: the same pure function the worker runs, for authors checking
parameters and for scripts.  `--list` shows the demos and their parameters.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from training.device import demo_device
from training.params import DemoParameterError
from training.registry import all_demos, get_demo, json_safe


class Command(BaseCommand):
    help = "Run a live demo in-process and print its result."

    def add_arguments(self, parser):
        parser.add_argument("slug", nargs="?", help="the demo to run (see --list)")
        parser.add_argument(
            "--param",
            "-p",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="a parameter; repeat for several (lists: 5.1,3.2 or [5.1, 3.2]; shapes: 3x1)",
        )
        parser.add_argument("--json", action="store_true", help="print the full result as JSON")
        parser.add_argument("--figures", metavar="DIR", help="write the figures as SVG files here")
        parser.add_argument("--device", choices=["cpu", "cuda", "auto"], default="cpu")
        parser.add_argument("--list", action="store_true", help="list the demos and exit")

    def handle(self, *args, **options):
        if options["list"] or not options["slug"]:
            for demo in all_demos():
                names = ", ".join(
                    f"{p['name']}={json.dumps(p['default'])}" for p in demo.schema.describe()
                )
                self.stdout.write(f"{demo.slug}: {demo.title}\n    {names}")
            return
        try:
            demo = get_demo(options["slug"])
        except LookupError as error:
            raise CommandError(f"{error}; see `manage.py run_demo --list`") from None
        params = {}
        for item in options["param"]:
            name, separator, value = item.partition("=")
            if not separator or not name.strip():
                raise CommandError(f"--param takes NAME=VALUE, got {item!r}")
            params[name.strip()] = value
        device = demo_device() if options["device"] == "auto" else options["device"]
        verbose = options["verbosity"] >= 2

        def progress(done, total, label=""):
            if verbose:
                self.stderr.write(f"[{done}/{total}] {label}")

        try:
            output = demo.run(params, device=device, progress=progress)
        except DemoParameterError as error:
            lines = [f"  {name}: {' '.join(messages)}" for name, messages in error.errors.items()]
            raise CommandError("invalid parameters:\n" + "\n".join(lines)) from None

        if options["figures"]:
            directory = Path(options["figures"])
            directory.mkdir(parents=True, exist_ok=True)
            for figure in output.figures:
                (directory / f"{demo.slug}-{figure.name}.svg").write_text(figure.svg)
        if options["json"]:
            body = {
                "demo": demo.slug,
                "version": demo.version,
                "params": demo.validate(params),
                **output.result_json(),
                "figures": [figure.meta() for figure in output.figures],
            }
            self.stdout.write(json.dumps(json_safe(body), indent=2, ensure_ascii=False))
            return
        self.stdout.write(self.style.SUCCESS(str(demo.title)))
        self.stdout.write(output.summary)
        for note in output.notes:
            self.stdout.write(self.style.WARNING(f"Note: {note}"))
        for figure in output.figures:
            self.stdout.write(f"- figure {figure.name}: {figure.alt}")
