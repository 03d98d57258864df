from services.common.migrations import run_env
from services.news.models import Base

run_env(Base.metadata)
