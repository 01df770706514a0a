//! The command line in Swedish: help texts laid out by our own templates
//! (clap's headings are English), our own `-h`/`-V` flags, and usage errors
//! rewritten from clap's error kind and context.

use clap::builder::StyledStr;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};

const TOP_TEMPLATE: &str = "\
{about-with-newline}
Användning: {usage}

Kommandon:
{subcommands}

Flaggor:
{options}{after-help}
";

const SUB_TEMPLATE: &str = "\
{about-with-newline}
Användning: {usage}

Flaggor:
{options}{after-help}
";

const SUB_TEMPLATE_POSITIONALS: &str = "\
{about-with-newline}
Användning: {usage}

Argument:
{positionals}

Flaggor:
{options}{after-help}
";

fn help_flag() -> Arg {
    Arg::new("hjälp")
        .short('h')
        .long("help")
        .action(ArgAction::Help)
        .help("Visa den här hjälpen")
}

/// `cmd` with Swedish help: templates, `-h/--help` and `-V/--version`, no
/// English `help` subcommand, and `[FLAGGOR]` in generated usage lines.
pub fn swedish_command(cmd: Command) -> Command {
    let cmd = cmd
        .disable_help_flag(true)
        .disable_version_flag(true)
        .disable_help_subcommand(true)
        .help_template(TOP_TEMPLATE)
        .override_usage("samla <KOMMANDO> [FLAGGOR]")
        .arg(help_flag())
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("Visa versionen"),
        );
    cmd.mut_subcommands(|sub| {
        let template = if sub.get_positionals().next().is_some() {
            SUB_TEMPLATE_POSITIONALS
        } else {
            SUB_TEMPLATE
        };
        let mut sub = sub
            .disable_help_flag(true)
            .help_template(template)
            .arg(help_flag())
            .mut_args(swedish_default);
        let usage = sub
            .render_usage()
            .to_string()
            .replace("Usage: ", "samla ")
            .replace("[OPTIONS]", "[FLAGGOR]");
        sub.override_usage(usage)
    })
}

/// Shows an argument's default as `[standard: 30]` instead of clap's
/// English `[default: 30]`.
fn swedish_default(arg: Arg) -> Arg {
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|d| d.to_string_lossy().into_owned())
        .collect();
    if defaults.is_empty() {
        return arg;
    }
    let suffix = format!(" [standard: {}]", defaults.join(", "));
    let help = arg.get_help().map(|h| format!("{h}{suffix}"));
    let long = arg.get_long_help().map(|h| format!("{h}{suffix}"));
    let mut arg = arg.hide_default_value(true);
    if let Some(h) = help {
        arg = arg.help(h);
    }
    if let Some(h) = long {
        arg = arg.long_help(h);
    }
    arg
}

/// A clap error (or help or version) as the user should read it.
pub fn swedish(e: &clap::Error) -> String {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => return e.render().to_string(),
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            return format!("samla: ett kommando saknas.\n\n{}", e.render());
        }
        _ => {}
    }
    let get = |k| e.get(k).map(text).unwrap_or_default();
    let arg = get(ContextKind::InvalidArg);
    let value = get(ContextKind::InvalidValue);
    let what = match e.kind() {
        ErrorKind::UnknownArgument => format!("okänt argument '{arg}'"),
        ErrorKind::InvalidSubcommand => {
            format!("okänt kommando '{}'", get(ContextKind::InvalidSubcommand))
        }
        ErrorKind::MissingSubcommand => "ett kommando saknas".to_string(),
        ErrorKind::MissingRequiredArgument => format!("det här måste anges: {arg}"),
        ErrorKind::InvalidValue if value.is_empty() => format!("{arg} behöver ett värde"),
        ErrorKind::InvalidValue => format!(
            "'{value}' är inget giltigt värde för {arg} (giltiga: {})",
            get(ContextKind::ValidValue)
        ),
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e)
                .map(|s| {
                    if s.is::<std::num::ParseIntError>() {
                        "ange ett heltal".to_string()
                    } else {
                        s.to_string()
                    }
                })
                .unwrap_or_default();
            format!("'{value}' är inget giltigt värde för {arg}: {why}")
        }
        ErrorKind::NoEquals => format!("{arg} ska ges sitt värde med = (t.ex. {arg}=värde)"),
        ErrorKind::TooManyValues => format!("för många värden till {arg}: '{value}'"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("fel antal värden till {arg}")
        }
        ErrorKind::ArgumentConflict => {
            let prior = get(ContextKind::PriorArg);
            if prior.is_empty() || prior == arg {
                format!("{arg} får bara anges en gång")
            } else {
                format!("{arg} kan inte användas tillsammans med {prior}")
            }
        }
        ErrorKind::InvalidUtf8 => "ett argument är inte giltig UTF-8".to_string(),
        _ => format!(
            "kommandoraden kunde inte tolkas: {}",
            e.render().to_string().trim().trim_start_matches("error: ")
        ),
    };
    let suggested = [
        ContextKind::SuggestedArg,
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedValue,
    ]
    .into_iter()
    .map(get)
    .find(|s| !s.is_empty())
    .map(|s| format!(" – menade du '{s}'?"))
    .unwrap_or_default();
    let usage = get(ContextKind::Usage);
    let usage = usage.trim().trim_start_matches("Usage: ");
    let command: Vec<&str> = usage
        .split_whitespace()
        .take_while(|w| !w.starts_with(['[', '<', '-']))
        .collect();
    let mut s = format!("samla: {what}{suggested}\n");
    if !usage.is_empty() {
        s.push_str(&format!(
            "\nAnvändning: {usage}\n\nSkriv '{} --help' för mer hjälp.\n",
            command.join(" ")
        ));
    }
    s
}

fn text(v: &ContextValue) -> String {
    match v {
        ContextValue::String(s) => s.clone(),
        ContextValue::Strings(v) => v.join(", "),
        ContextValue::StyledStr(s) => plain(s),
        ContextValue::StyledStrs(v) => v.iter().map(plain).collect::<Vec<_>>().join(", "),
        ContextValue::Number(n) => n.to_string(),
        ContextValue::Bool(_) | ContextValue::None => String::new(),
        _ => String::new(),
    }
}

fn plain(s: &StyledStr) -> String {
    s.to_string()
}
