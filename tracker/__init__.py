"""kaiji: a tracker for Japanese information-disclosure requests (情報公開請求)."""

__version__ = "0.1.0"
