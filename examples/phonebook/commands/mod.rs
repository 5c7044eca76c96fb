//! The command handlers, one module per command or group of related commands, and
//! the dispatch from a parsed command line to them.
mod discover;
mod edit;
mod export;
mod folder;
mod form;
mod lookup;
mod search;
mod sync;
mod view;

use crate::args::{Cli, Command, FolderCommand};
use crate::errors::CliResult;

use self::discover::cmd_discover;
use self::edit::{cmd_add, cmd_delete, cmd_edit};
use self::export::cmd_export;
use self::folder::{cmd_folder_add, cmd_folder_list, cmd_folder_remove, cmd_folder_set};
use self::form::cmd_folder_form;
use self::lookup::{cmd_dial, cmd_lookup};
use self::search::cmd_search;
use self::sync::cmd_sync;
use self::view::{cmd_list, cmd_show};

/// Runs the command of a parsed command line.
pub(crate) fn run(cli: Cli) -> CliResult {
    let dir = cli.cache_dir;
    match cli.command {
        Command::Discover {
            url,
            user,
            connect,
            json,
        } => cmd_discover(&url, user.as_deref(), &connect, json),
        Command::Folder(FolderCommand::Add {
            name,
            url,
            user,
            book,
            connect,
            columns,
            sync_interval,
        }) => cmd_folder_add(
            &dir,
            &name,
            &url,
            user.as_deref(),
            book.as_deref(),
            &connect,
            &columns,
            sync_interval,
        ),
        Command::Folder(FolderCommand::Set(set)) => cmd_folder_set(&dir, set),
        Command::Folder(FolderCommand::List { json }) => cmd_folder_list(&dir, json),
        Command::Folder(FolderCommand::Remove { name }) => cmd_folder_remove(&dir, &name),
        Command::Folder(FolderCommand::Form {
            name,
            set_json,
            json,
        }) => cmd_folder_form(&dir, &name, set_json.as_deref(), json),
        Command::Sync { name, full, json } => cmd_sync(&dir, name.as_deref(), full, json),
        Command::List { name, json } => cmd_list(&dir, &name, json),
        Command::Show { name, id, json } => cmd_show(&dir, &name, &id, json),
        Command::Lookup { number, plan, json } => cmd_lookup(&dir, &number, &plan, json),
        Command::Search {
            text,
            limit,
            plan,
            json,
        } => cmd_search(&dir, &text, limit, &plan, json),
        Command::Add { name, set, json } => cmd_add(&dir, &name, &set, json),
        Command::Edit {
            name,
            id,
            set,
            json,
        } => cmd_edit(&dir, &name, &id, &set, json),
        Command::Delete { name, id } => cmd_delete(&dir, &name, &id),
        Command::Export { name, format } => cmd_export(&dir, &name, format),
        Command::Dial { number, plan, json } => cmd_dial(&dir, &number, &plan, json),
    }
}
