"""Showing what the engine did: drawings (`render`), the narrated chain rule (`explain`),
the textbook views (`textbook`) and the HTML stepper and quiz (`stepper`)."""
