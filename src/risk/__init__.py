"""Risk manager: the gate every intent passes (issue 3). Pure: ``now`` and account state come in."""
