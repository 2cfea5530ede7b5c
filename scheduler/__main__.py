"""`python -m scheduler`: run the timer scheduler as its own process."""

from scheduler import build_scheduler
from engine.settings import Settings

if __name__ == "__main__":
    build_scheduler(Settings.from_env(), blocking=True).start()
