namespace Actors.Node.Commands;

/// <summary>
/// <c>actors completion bash|zsh</c>: prints a completion script. Verbs, their flags, the states of
/// <c>wait --until</c>, and process names — asked of the running node (<c>actors status --json</c>), so they are
/// the names the node really has; without a node, no names are offered. Install: see README.md.
/// </summary>
public static class CompletionCommand
{
    public const string Usage = "actors completion bash|zsh";

    /// <summary>The verbs people type.</summary>
    internal static readonly string[] Verbs =
        ["run", "check-config", "simulate", "unit", "exec", "status", "members", "logs", "start", "stop", "restart", "signal", "scale", "wait", "reload", "shutdown", "version", "completion", "help"];

    public static int Execute(string[] args, TextWriter stdout, TextWriter stderr)
    {
        switch (args)
        {
            case ["bash"]:
                stdout.Write(Bash);
                return ExitCodes.Ok;
            case ["zsh"]:
                stdout.Write(Zsh);
                return ExitCodes.Ok;
            default:
                stderr.WriteLine(args.Length == 0 ? "actors: name the shell: bash or zsh" : $"actors: no completion for '{string.Join(' ', args)}'; use bash or zsh");
                stderr.WriteLine($"usage: {Usage}");
                return ExitCodes.Usage;
        }
    }

    private static string VerbList => string.Join(' ', Verbs);

    // Process names come from the node's JSON (compact: each process object starts a line once split at commas;
    // a lease's "name" follows "lease": and is left out); sed keeps this free of jq, which a server may not have.
    private const string NamesFunction = """
        _actors_names() {
          actors status --json "$@" 2>/dev/null | tr ',' '\n' | sed -n 's/^\("processes":\[\)\{0,1\}{"name":"\([^"]*\)".*$/\2/p'
        }
        """;

    private static string Bash => $$"""
        # bash completion for actors. Load it: source <(actors completion bash)
        # or save it: actors completion bash > /etc/bash_completion.d/actors
        {{NamesFunction}}
        _actors() {
          local cur prev verb
          cur="${COMP_WORDS[COMP_CWORD]}"
          prev="${COMP_WORDS[COMP_CWORD-1]}"
          verb="${COMP_WORDS[1]}"
          if [ "$COMP_CWORD" -eq 1 ]; then
            COMPREPLY=($(compgen -W "{{VerbList}}" -- "$cur"))
            return 0
          fi
          case "$prev" in
            --until) COMPREPLY=($(compgen -W "ready running completed stopped failed" -- "$cur")); return 0 ;;
            --socket|--config) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
            --timeout|--watchdog|-n|--user|--for|--seed|--behave|--expect|--exit-code-from) return 0 ;;
          esac
          local common="--json --socket --config"
          case "$verb" in
            run) COMPREPLY=($(compgen -W "--replace --until-done --exit-code-from" -- "$cur") $(compgen -f -- "$cur")) ;;
            check-config) COMPREPLY=($(compgen -f -- "$cur")) ;;
            unit) COMPREPLY=($(compgen -W "--user --watchdog" -- "$cur") $(compgen -f -- "$cur")) ;;
            simulate) COMPREPLY=($(compgen -W "--for --seed --behave --expect --json" -- "$cur") $(compgen -f -- "$cur")) ;;
            completion) COMPREPLY=($(compgen -W "bash zsh" -- "$cur")) ;;
            status) COMPREPLY=($(compgen -W "--watch --cluster $common $(_actors_names)" -- "$cur")) ;;
            members) COMPREPLY=($(compgen -W "$common" -- "$cur")) ;;
            logs) COMPREPLY=($(compgen -W "--all -n -f $common $(_actors_names)" -- "$cur")) ;;
            start|stop|restart) COMPREPLY=($(compgen -W "--all $common $(_actors_names)" -- "$cur")) ;;
            wait) COMPREPLY=($(compgen -W "--all --until --timeout $common $(_actors_names)" -- "$cur")) ;;
            scale) COMPREPLY=($(compgen -W "$common $(_actors_names)" -- "$cur")) ;;
            signal) COMPREPLY=($(compgen -W "--group $common $(_actors_names) TERM INT HUP KILL USR1 USR2 QUIT STOP CONT" -- "$cur")) ;;
            reload|shutdown) COMPREPLY=($(compgen -W "$common --no-wait" -- "$cur")) ;;
            exec) COMPREPLY=($(compgen -W "--timeout --retry --help" -- "$cur")) ;;
          esac
          return 0
        }
        complete -F _actors actors

        """;

    private static string Zsh => $$"""
        #compdef actors
        # zsh completion for actors. Load it: source <(actors completion zsh)
        # or save it as _actors in a folder of $fpath (e.g. ~/.zfunc, with fpath+=~/.zfunc before compinit).
        {{NamesFunction}}
        _actors() {
          local -a verbs
          verbs=({{VerbList}})
          if (( CURRENT == 2 )); then
            _describe 'command' verbs
            return
          fi
          local verb=${words[2]} prev=${words[CURRENT-1]}
          case $prev in
            --until) compadd ready running completed stopped failed; return ;;
            --socket|--config) _files; return ;;
            --timeout|--watchdog|-n|--user|--for|--seed|--behave|--expect|--exit-code-from) return ;;
          esac
          case $verb in
            run) compadd -- --replace --until-done --exit-code-from; _files ;;
            check-config|unit|simulate) _files ;;
            completion) compadd bash zsh ;;
            status|logs|start|stop|restart|wait|signal|scale) compadd -- ${(f)"$(_actors_names)"} ;;
          esac
        }
        if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
          _actors "$@"
        else
          compdef _actors actors
        fi

        """;
}
