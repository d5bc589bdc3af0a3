"""Test doubles for the LLM engine: a loopback OpenAI-compatible server and a scripted chat model."""
