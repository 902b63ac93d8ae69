"""The test suite, one package per project package so that test modules never shadow the code."""
