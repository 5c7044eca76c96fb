#include <stdio.h>
#include "cti_phonebook.h"

/* quickstart CACHE_DIR URL USER PASSWORD NUMBER: sync a CardDAV book, look up a caller. */
int main(int argc, char **argv) {
    CtiPhonebook *book = NULL;
    CtiMatches *matches = NULL;
    CtiMatch m;
    int32_t outcome;
    if (argc != 6 || cti_phonebook_open(argv[1], "DE", "30", &book) != CTI_OK ||
        cti_phonebook_add_carddav(book, "Contacts", argv[2], argv[3], argv[4], NULL, NULL) ||
        cti_folder_refresh(book, "Contacts", NULL) ||
        cti_phonebook_lookup_caller(book, argv[5], &outcome, &matches)) {
        fprintf(stderr, "error %d: %s\n", cti_last_error_code(), cti_last_error_message());
        cti_phonebook_free(book);
        return 1;
    }
    for (size_t i = 0; cti_matches_get(matches, i, &m) == CTI_OK; i++)
        printf("%s (%s), %s\n", m.display_name, m.company, m.column);
    if (outcome == CTI_CALLER_WITHHELD) printf("number withheld\n");
    cti_matches_free(matches);
    cti_phonebook_free(book);
    return 0;
}
