"""Evaluation tasks: numbers (flat metrics JSON) and figures per trained variant."""
