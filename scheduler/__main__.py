"""`python -m scheduler`: run the timer scheduler as its own process."""

from engine.settings import Settings
from scheduler import build_scheduler

if __name__ == "__main__":
    build_scheduler(Settings.from_env(), blocking=True).start()
