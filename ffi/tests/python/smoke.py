"""The C ABI from a scripting host: Python's ctypes against the shared library.

Usage: python3 smoke.py LIBRARY CACHE_DIR. Exits non-zero on the first failed check.
"""

import ctypes
import sys

CTI_OK = 0
CTI_ERR_CONFIG = 11
CTI_ERR_NOT_A_NUMBER = 17
CTI_ERR_INVALID_ARGUMENT = 99
CTI_CALLER_MATCHES = 0
CTI_CALLER_WITHHELD = 1
CTI_CALLER_NOT_A_NUMBER = 2

lib = ctypes.CDLL(sys.argv[1])
book_p = ctypes.c_void_p
lib.cti_abi_version.restype = ctypes.c_uint32
lib.cti_library_version.restype = ctypes.c_char_p
lib.cti_last_error_message.restype = ctypes.c_char_p
lib.cti_phonebook_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                                   ctypes.POINTER(book_p)]
lib.cti_phonebook_free.argtypes = [book_p]
lib.cti_phonebook_dial.argtypes = [book_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
lib.cti_string_free.argtypes = [ctypes.c_void_p]
lib.cti_phonebook_lookup_caller.argtypes = [book_p, ctypes.c_char_p,
                                            ctypes.POINTER(ctypes.c_int32),
                                            ctypes.POINTER(ctypes.c_void_p)]
lib.cti_matches_len.argtypes = [ctypes.c_void_p]
lib.cti_matches_len.restype = ctypes.c_size_t
lib.cti_matches_free.argtypes = [ctypes.c_void_p]
lib.cti_phonebook_folders.argtypes = [book_p, ctypes.POINTER(ctypes.c_void_p)]
lib.cti_strings_len.argtypes = [ctypes.c_void_p]
lib.cti_strings_len.restype = ctypes.c_size_t
lib.cti_strings_free.argtypes = [ctypes.c_void_p]


def check(cond, what):
    if not cond:
        print(f"FAILED: {what} (last error {lib.cti_last_error_code()}: "
              f"{lib.cti_last_error_message().decode()})")
        sys.exit(1)


check(lib.cti_abi_version() == 1, "ABI version")
print("library", lib.cti_library_version().decode())

book = book_p()
check(lib.cti_phonebook_open(None, b"DE", None, ctypes.byref(book)) == CTI_ERR_INVALID_ARGUMENT,
      "NULL dir")
check(b"dir" in lib.cti_last_error_message(), "message names the argument")
check(lib.cti_phonebook_open(b"/tmp", b"XX", None, ctypes.byref(book)) == CTI_ERR_CONFIG,
      "unknown country")
check(lib.cti_phonebook_open(sys.argv[2].encode(), b"DE", b"30", ctypes.byref(book)) == CTI_OK,
      "open")

folders = ctypes.c_void_p()
check(lib.cti_phonebook_folders(book, ctypes.byref(folders)) == CTI_OK, "folders")
check(lib.cti_strings_len(folders) == 0, "no folders yet")
lib.cti_strings_free(folders)

digits = ctypes.c_void_p()
check(lib.cti_phonebook_dial(book, "tel:+49-30-1234567".encode(), ctypes.byref(digits)) == CTI_OK,
      "dial a link")
check(ctypes.string_at(digits) == b"1234567", "local number without area code")
lib.cti_string_free(digits)
check(lib.cti_phonebook_dial(book, b"hello", ctypes.byref(digits)) == CTI_ERR_NOT_A_NUMBER,
      "dial text")

for number, expected in [(b"anonymous", CTI_CALLER_WITHHELD),
                         (b"hello", CTI_CALLER_NOT_A_NUMBER),
                         (b"030 1234567", CTI_CALLER_MATCHES)]:
    outcome = ctypes.c_int32(-1)
    matches = ctypes.c_void_p()
    check(lib.cti_phonebook_lookup_caller(book, number, ctypes.byref(outcome),
                                          ctypes.byref(matches)) == CTI_OK, "lookup")
    check(outcome.value == expected, f"outcome of {number!r}: {outcome.value}")
    check(lib.cti_matches_len(matches) == 0, "no matches in an empty book")
    lib.cti_matches_free(matches)

lib.cti_phonebook_free(book)
print("PYTHON OK")
