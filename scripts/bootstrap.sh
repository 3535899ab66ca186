# Sourced by scripts/run and scripts/test: make sure uv exists and .venv matches uv.lock.
#
# uv, not pip, builds the environment because it installs torch and torchvision as the matched
# pair recorded in uv.lock; `pip install torch` can pick a CPU-only local wheel with which
# torchvision fails to import.

if command -v uv >/dev/null 2>&1; then
    UV=(uv)
elif python3 -m uv --version >/dev/null 2>&1; then
    UV=(python3 -m uv)
else
    echo "==> installing uv (the package manager that reads uv.lock)"
    python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv
    UV=(python3 -m uv)
fi

quizsite_sync() {
    echo "==> installing Python packages from uv.lock into .venv"
    "${UV[@]}" sync --locked --python 3.11 "$@"
}
